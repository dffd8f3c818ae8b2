"""Multipart uploads through boto3: the full flow (UploadPart, UploadPartCopy with a range,
ListParts, ListMultipartUploads, Complete with the md5-of-md5s ETag), the completion
errors (EntityTooSmall, InvalidPart, InvalidPartOrder), abort, a transfer-manager
upload that uses the SDK's own defaults (CRC32 checksums on boto3 >= 1.36), GetObject /
HeadObject by partNumber (also through aws-cli v1 and v2), and UploadPartCopy from a
given source version with x-amz-copy-source-if-* conditions."""
import hashlib
import io
import json
import os
import unittest

from boto3.s3.transfer import TransferConfig

from harness import AWS_CLI_V1, AWS_CLI_V2, S3TestCase, aws_cli, quoted_md5, signed_request

MIB = 1024 * 1024
PART_SIZE = 5 * MIB


def multipart_etag(parts):
    digests = b"".join(hashlib.md5(part).digest() for part in parts)
    return '"%s-%d"' % (hashlib.md5(digests).hexdigest(), len(parts))


class MultipartTests(S3TestCase):

    def create_upload(self, key):
        upload_id = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key,
                                                    ContentType="application/x-parts")["UploadId"]
        self.assertTrue(upload_id)
        return upload_id

    def upload_part(self, key, upload_id, number, body):
        etag = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number,
                                   Body=body)["ETag"]
        self.assertEqual(etag, quoted_md5(body))
        return {"PartNumber": number, "ETag": etag}

    def test_full_upload_with_part_copy(self):
        first = os.urandom(PART_SIZE)
        source = os.urandom(PART_SIZE + 1000)
        last = b"tail" * 300
        self.s3.put_object(Bucket=self.bucket, Key="copy-source", Body=source)
        copied = source[1000:1000 + PART_SIZE]

        upload_id = self.create_upload("big")
        parts = [self.upload_part("big", upload_id, 1, first)]
        copy_result = self.s3.upload_part_copy(Bucket=self.bucket, Key="big", UploadId=upload_id, PartNumber=2,
                                               CopySource={"Bucket": self.bucket, "Key": "copy-source"},
                                               CopySourceRange="bytes=1000-%d" % (1000 + PART_SIZE - 1))
        self.assertEqual(copy_result["CopyPartResult"]["ETag"], quoted_md5(copied))
        parts.append({"PartNumber": 2, "ETag": copy_result["CopyPartResult"]["ETag"]})
        parts.append(self.upload_part("big", upload_id, 3, last))

        listed = self.s3.list_parts(Bucket=self.bucket, Key="big", UploadId=upload_id)
        self.assertEqual([(p["PartNumber"], p["ETag"], p["Size"]) for p in listed["Parts"]],
                         [(1, quoted_md5(first), PART_SIZE), (2, quoted_md5(copied), PART_SIZE),
                          (3, quoted_md5(last), len(last))])
        uploads = self.s3.list_multipart_uploads(Bucket=self.bucket)["Uploads"]
        self.assertEqual([(u["Key"], u["UploadId"]) for u in uploads], [("big", upload_id)])
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="big")

        done = self.s3.complete_multipart_upload(Bucket=self.bucket, Key="big", UploadId=upload_id,
                                                 MultipartUpload={"Parts": parts})
        expected_etag = multipart_etag([first, copied, last])
        self.assertEqual(done["ETag"], expected_etag)
        self.assertEqual(done["Key"], "big")
        got = self.s3.get_object(Bucket=self.bucket, Key="big")
        self.assertEqual(got["ETag"], expected_etag)
        self.assertEqual(got["ContentLength"], 2 * PART_SIZE + len(last))
        self.assertEqual(got["ContentType"], "application/x-parts")
        self.assertEqual(hashlib.md5(got["Body"].read()).digest(), hashlib.md5(first + copied + last).digest())
        self.assertEqual(self.s3.list_multipart_uploads(Bucket=self.bucket).get("Uploads", []), [])

    def test_small_non_last_part_is_entity_too_small(self):
        upload_id = self.create_upload("small")
        parts = [self.upload_part("small", upload_id, n, b"x" * 1024) for n in (1, 2)]
        self.assertClientError(self.s3.complete_multipart_upload, "EntityTooSmall", 400, Bucket=self.bucket,
                               Key="small", UploadId=upload_id, MultipartUpload={"Parts": parts})

    def test_wrong_part_etag_is_invalid_part(self):
        upload_id = self.create_upload("wrong")
        self.upload_part("wrong", upload_id, 1, b"only part")
        self.assertClientError(self.s3.complete_multipart_upload, "InvalidPart", 400, Bucket=self.bucket,
                               Key="wrong", UploadId=upload_id,
                               MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": quoted_md5(b"other")}]})

    def test_missing_part_number_is_invalid_part(self):
        upload_id = self.create_upload("gap")
        part = self.upload_part("gap", upload_id, 1, b"only part")
        self.assertClientError(self.s3.complete_multipart_upload, "InvalidPart", 400, Bucket=self.bucket,
                               Key="gap", UploadId=upload_id,
                               MultipartUpload={"Parts": [part, {"PartNumber": 2, "ETag": part["ETag"]}]})

    def test_descending_parts_are_invalid_part_order(self):
        upload_id = self.create_upload("order")
        parts = [self.upload_part("order", upload_id, 1, os.urandom(PART_SIZE)),
                 self.upload_part("order", upload_id, 2, os.urandom(PART_SIZE))]
        self.assertClientError(self.s3.complete_multipart_upload, "InvalidPartOrder", 400, Bucket=self.bucket,
                               Key="order", UploadId=upload_id, MultipartUpload={"Parts": parts[::-1]})

    def test_abort_then_no_such_upload(self):
        upload_id = self.create_upload("aborted")
        self.upload_part("aborted", upload_id, 1, b"data")
        response = self.s3.abort_multipart_upload(Bucket=self.bucket, Key="aborted", UploadId=upload_id)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertClientError(self.s3.upload_part, "NoSuchUpload", 404, Bucket=self.bucket, Key="aborted",
                               UploadId=upload_id, PartNumber=2, Body=b"late")
        self.assertClientError(self.s3.list_parts, "NoSuchUpload", 404, Bucket=self.bucket, Key="aborted",
                               UploadId=upload_id)
        self.assertClientError(self.s3.complete_multipart_upload, "NoSuchUpload", 404, Bucket=self.bucket,
                               Key="aborted", UploadId=upload_id,
                               MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": quoted_md5(b"data")}]})
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="aborted")

    def test_transfer_manager_multipart_round_trip(self):
        body = os.urandom(12 * MIB)
        config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=2)
        self.s3.upload_fileobj(io.BytesIO(body), self.bucket, "managed", Config=config)
        head = self.s3.head_object(Bucket=self.bucket, Key="managed")
        self.assertEqual(head["ContentLength"], len(body))
        self.assertEqual(head["ETag"], multipart_etag([body[:5 * MIB], body[5 * MIB:10 * MIB], body[10 * MIB:]]))
        downloaded = io.BytesIO()
        self.s3.download_fileobj(self.bucket, "managed", downloaded, Config=config)
        self.assertEqual(hashlib.md5(downloaded.getvalue()).digest(), hashlib.md5(body).digest())


class PartNumberTests(S3TestCase):
    """GetObject and HeadObject with partNumber (AWS): a multipart object's part, 206 with
    its Content-Range, x-amz-mp-parts-count and, with x-amz-checksum-mode, the part's
    checksum; part 1 of any other object is the whole object; a part the object does not
    have is 416 InvalidPartNumber; partNumber with Range is InvalidRequest."""

    def setUp(self):
        super().setUp()
        self.first, self.last = os.urandom(PART_SIZE), b"tail" * 250
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key="mp", ChecksumAlgorithm="CRC32")["UploadId"]
        self.part_sums, parts = [], []
        for number, body in ((1, self.first), (2, self.last)):
            done = self.s3.upload_part(Bucket=self.bucket, Key="mp", UploadId=upload, PartNumber=number, Body=body,
                                       ChecksumAlgorithm="CRC32")
            self.part_sums.append(done["ChecksumCRC32"])
            parts.append({"PartNumber": number, "ETag": done["ETag"], "ChecksumCRC32": done["ChecksumCRC32"]})
        self.etag = self.s3.complete_multipart_upload(Bucket=self.bucket, Key="mp", UploadId=upload,
                                                      MultipartUpload={"Parts": parts})["ETag"]

    def test_parts_of_a_multipart_object(self):
        total = PART_SIZE + len(self.last)
        for number, body, first in ((1, self.first, 0), (2, self.last, PART_SIZE)):
            with self.subTest(part=number):
                head = self.s3.head_object(Bucket=self.bucket, Key="mp", PartNumber=number)
                self.assertEqual(head["ResponseMetadata"]["HTTPStatusCode"], 206)
                self.assertEqual((head["PartsCount"], head["ContentLength"], head["ETag"]), (2, len(body), self.etag))
                got = self.s3.get_object(Bucket=self.bucket, Key="mp", PartNumber=number, ChecksumMode="ENABLED")
                self.assertEqual(got["ContentRange"], "bytes %d-%d/%d" % (first, first + len(body) - 1, total))
                self.assertEqual(got["PartsCount"], 2)
                self.assertEqual(got["ChecksumCRC32"], self.part_sums[number - 1])
                self.assertEqual(got["Body"].read(), body)
        self.assertClientError(self.s3.get_object, "InvalidPartNumber", 416, Bucket=self.bucket, Key="mp",
                               PartNumber=3)
        self.assertClientError(self.s3.get_object, "InvalidRequest", 400, Bucket=self.bucket, Key="mp",
                               PartNumber=1, Range="bytes=0-10")
        response = signed_request("GET", "/%s/mp?partNumber=0" % self.bucket)
        self.assertEqual((response.status, response.error_code()), (400, "InvalidArgument"))

    def test_part_one_of_a_plain_object_is_the_whole_object(self):
        etag = self.s3.put_object(Bucket=self.bucket, Key="plain", Body=b"whole")["ETag"]
        got = self.s3.get_object(Bucket=self.bucket, Key="plain", PartNumber=1)
        self.assertEqual((got["Body"].read(), got["ETag"], got.get("PartsCount")), (b"whole", etag, None))
        self.assertEqual(got["ContentRange"], "bytes 0-4/5")
        self.assertClientError(self.s3.head_object, "416", 416, Bucket=self.bucket, Key="plain", PartNumber=2)

    def test_aws_cli(self):
        for cli in (AWS_CLI_V1, AWS_CLI_V2):
            with self.subTest(cli=cli):
                done = aws_cli(cli, "s3api", "head-object", "--bucket", self.bucket, "--key", "mp", "--part-number", "2")
                self.assertEqual(done.returncode, 0, done.stderr)
                head = json.loads(done.stdout)
                self.assertEqual((head["PartsCount"], head["ContentLength"]), (2, len(self.last)))


class UploadPartCopyVersionTests(S3TestCase):

    def test_copy_from_a_given_source_version(self):
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        old = os.urandom(PART_SIZE)
        v1 = self.s3.put_object(Bucket=self.bucket, Key="src", Body=old)["VersionId"]
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=b"newer")
        marker = self.s3.delete_object(Bucket=self.bucket, Key="src")["VersionId"]
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key="dst")["UploadId"]
        source = {"Bucket": self.bucket, "Key": "src", "VersionId": v1}
        done = self.s3.upload_part_copy(Bucket=self.bucket, Key="dst", UploadId=upload, PartNumber=1,
                                        CopySource=source)
        self.assertEqual(done["CopySourceVersionId"], v1)
        self.assertEqual(done["CopyPartResult"]["ETag"], quoted_md5(old))
        self.assertClientError(self.s3.upload_part_copy, "PreconditionFailed", 412, Bucket=self.bucket, Key="dst",
                               UploadId=upload, PartNumber=2, CopySource=source, CopySourceIfMatch=quoted_md5(b"x"))
        self.assertClientError(self.s3.upload_part_copy, "InvalidRequest", 400, Bucket=self.bucket, Key="dst",
                               UploadId=upload, PartNumber=2,
                               CopySource={"Bucket": self.bucket, "Key": "src", "VersionId": marker})
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key="dst", UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": done["CopyPartResult"]["ETag"]}]})
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="dst")["Body"].read(), old)


if __name__ == "__main__":
    unittest.main()
