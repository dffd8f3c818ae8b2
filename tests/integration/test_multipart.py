"""Multipart uploads through boto3: the full flow (UploadPart, UploadPartCopy with a range,
ListParts, ListMultipartUploads, Complete with the md5-of-md5s ETag), the completion
errors (EntityTooSmall, InvalidPart, InvalidPartOrder), abort, and a transfer-manager
upload that uses the SDK's own defaults (CRC32 checksums on boto3 >= 1.36)."""
import hashlib
import io
import os
import unittest

from boto3.s3.transfer import TransferConfig

from harness import S3TestCase, quoted_md5

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


if __name__ == "__main__":
    unittest.main()
