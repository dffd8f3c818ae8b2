"""Checksums (x-amz-checksum-*) through boto3, aws-cli and raw signed requests: stored with
objects and parts, returned on GET/HEAD with x-amz-checksum-mode: ENABLED (and validated
by the new SDK, whose default is to send CRC32 and validate responses), the CRC64NVME AWS
computes for uploads without one, multipart COMPOSITE and FULL_OBJECT checksums (the
whole object's checksum, type and size CompleteMultipartUpload states, checked), a wrong
checksum never storing anything (BadDigest; a malformed one InvalidRequest, in a header or
a trailer), CopyObject with a new algorithm, GetObjectAttributes.

CRC32C and CRC64NVME are computed here in Python (botocore needs awscrt for them)."""
import base64
import hashlib
import json
import os
import unittest
import zlib

import botocore
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import ACCESS_KEY, AWS_CLI_V1, AWS_CLI_V2, REGION, SECRET_KEY, S3TestCase, add_request_headers, aws_cli, \
    endpoint, raw_request, s3_client, signed_request

MIB = 1024 * 1024
NEW_SDK = tuple(int(x) for x in botocore.__version__.split(".")[:2]) >= (1, 36)


def _reflected_table(poly, width):
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table, (1 << width) - 1


_CRC32C = _reflected_table(0x82F63B78, 32)
_CRC64NVME = _reflected_table(0x9A6C9329AC4BC9B5, 64)


def _crc(data, params, length):
    table, mask = params
    crc = mask
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return (crc ^ mask).to_bytes(length, "big")


def digest(algorithm, data):
    """The raw checksum AWS computes for data."""
    if algorithm == "CRC32":
        return zlib.crc32(data).to_bytes(4, "big")
    if algorithm == "CRC32C":
        return _crc(data, _CRC32C, 4)
    if algorithm == "CRC64NVME":
        return _crc(data, _CRC64NVME, 8)
    return hashlib.new(algorithm.lower(), data).digest()


def b64(raw):
    return base64.b64encode(raw).decode()


def checksum(algorithm, data):
    return b64(digest(algorithm, data))


ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")


def trailer_request(path, chunked_body, decoded_length, trailer):
    """A PUT of an aws-chunked body with a trailing checksum, signed as botocore signs
    STREAMING-UNSIGNED-PAYLOAD-TRAILER uploads."""
    headers = {"Content-Encoding": "aws-chunked", "x-amz-trailer": trailer,
               "x-amz-decoded-content-length": str(decoded_length), "Host": endpoint().hostport}
    request = AWSRequest(method="PUT", url=endpoint().url + path, data=chunked_body, headers=headers)
    request.context["checksum"] = {"request_algorithm": {"in": "trailer", "name": trailer}}
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
    return raw_request("PUT", path, dict(request.headers.items()), chunked_body)


class ChecksumObjectTests(S3TestCase):

    def head_checksum(self, key, algorithm):
        """HEAD with x-amz-checksum-mode: ENABLED; the x-amz-checksum-<alg> and type headers."""
        response = signed_request("HEAD", "/%s/%s" % (self.bucket, key),
                                  {"x-amz-checksum-mode": "ENABLED"})
        self.assertEqual(response.status, 200)
        return (response.headers.get("x-amz-checksum-%s" % algorithm.lower()),
                response.headers.get("x-amz-checksum-type"))

    def test_default_sdk_round_trip_is_validated(self):
        body = os.urandom(70000)
        put = self.s3.put_object(Bucket=self.bucket, Key="default", Body=body)
        got = self.s3.get_object(Bucket=self.bucket, Key="default")
        self.assertEqual(got["Body"].read(), body)
        if NEW_SDK:
            # boto3 >= 1.36 sends CRC32 unasked and validates it on the way back.
            self.assertEqual(put["ChecksumCRC32"], checksum("CRC32", body))
            self.assertEqual(got["ChecksumCRC32"], checksum("CRC32", body))
            self.assertEqual(got["ResponseMetadata"]["HTTPHeaders"]["x-amz-checksum-type"], "FULL_OBJECT")
            self.assertEqual(got["ChecksumType"], "FULL_OBJECT")
        else:
            # Old SDKs send none: the object gets AWS's default CRC64NVME.
            self.assertEqual(self.head_checksum("default", "CRC64NVME"),
                             (checksum("CRC64NVME", body), "FULL_OBJECT"))

    def test_upload_without_checksum_gets_crc64nvme(self):
        body = b"no checksum sent with this one"
        response = signed_request("PUT", "/%s/plain" % self.bucket, {}, body)
        self.assertEqual(response.status, 200)
        self.assertEqual(response.headers["x-amz-checksum-crc64nvme"], checksum("CRC64NVME", body))
        self.assertEqual(self.head_checksum("plain", "CRC64NVME"), (checksum("CRC64NVME", body), "FULL_OBJECT"))
        # Without checksum mode, and on ranges, no checksum is returned.
        self.assertIsNone(signed_request("HEAD", "/%s/plain" % self.bucket).headers.get("x-amz-checksum-crc64nvme"))
        ranged = signed_request("GET", "/%s/plain" % self.bucket, {"x-amz-checksum-mode": "ENABLED", "Range": "bytes=0-3"})
        self.assertEqual(ranged.status, 206)
        self.assertIsNone(ranged.headers.get("x-amz-checksum-crc64nvme"))

    def test_each_algorithm_in_a_header(self):
        body = b"checksummed body " * 1000
        for algorithm in ALGORITHMS:
            with self.subTest(algorithm=algorithm):
                key = "hdr-" + algorithm
                value = checksum(algorithm, body)
                response = signed_request("PUT", "/%s/%s" % (self.bucket, key),
                                          {"x-amz-checksum-%s" % algorithm.lower(): value}, body)
                self.assertEqual(response.status, 200, response.body)
                self.assertEqual(response.headers["x-amz-checksum-%s" % algorithm.lower()], value)
                self.assertEqual(self.head_checksum(key, algorithm), (value, "FULL_OBJECT"))

    def test_each_algorithm_the_sdk_computes(self):
        body = os.urandom(20000)
        for algorithm in ("CRC32", "SHA1", "SHA256"):
            with self.subTest(algorithm=algorithm):
                key = "sdk-" + algorithm
                put = self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ChecksumAlgorithm=algorithm)
                self.assertEqual(put["Checksum" + algorithm], checksum(algorithm, body))
                got = self.s3.get_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(got["Body"].read(), body)
                self.assertEqual(got["Checksum" + algorithm], checksum(algorithm, body))

    def test_wrong_checksum_stores_nothing(self):
        body = b"the real bytes"
        for algorithm in ALGORITHMS:
            with self.subTest(algorithm=algorithm):
                wrong = checksum(algorithm, b"other bytes")
                response = signed_request("PUT", "/%s/bad-%s" % (self.bucket, algorithm),
                                          {"x-amz-checksum-%s" % algorithm.lower(): wrong}, body)
                self.assertEqual(response.status, 400)
                self.assertEqual(response.error_code(), "BadDigest")
                self.assertEqual(signed_request("HEAD", "/%s/bad-%s" % (self.bucket, algorithm)).status, 404)
        malformed = signed_request("PUT", "/%s/malformed" % self.bucket, {"x-amz-checksum-crc32": "!!"}, body)
        self.assertEqual(malformed.status, 400)
        self.assertEqual(malformed.error_code(), "InvalidRequest")

    def test_checksum_errors_as_s3_words_them(self):
        """Well-formed but wrong: BadDigest; malformed (not base64, or not the
        algorithm's length): InvalidRequest — in a header and in an aws-chunked
        trailer alike; two checksum headers at once: InvalidRequest."""
        body = b"trailing bytes"
        right, wrong = checksum("CRC32", body), checksum("CRC32", b"other")
        for value, code, message in ((wrong, "BadDigest", "The CRC32 you specified did not match the calculated checksum."),
                                     ("AAAA", "InvalidRequest", "Value for x-amz-checksum-crc32 header is invalid.")):
            response = signed_request("PUT", "/%s/h" % self.bucket, {"x-amz-checksum-crc32": value}, body)
            self.assertEqual((response.status, response.error_code()), (400, code), value)
            self.assertIn(message.encode(), response.body)
        for value, code, message in (
                (wrong, "BadDigest", "The CRC32 you specified did not match the calculated checksum."),
                ("AAAA", "InvalidRequest", "Value for x-amz-checksum-crc32 trailing header is invalid."),
                ("n0t base64!", "InvalidRequest", "Value for x-amz-checksum-crc32 trailing header is invalid.")):
            chunked = b"%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n" % (len(body), body, value.encode())
            response = trailer_request("/%s/t" % self.bucket, chunked, len(body), "x-amz-checksum-crc32")
            self.assertEqual((response.status, response.error_code()), (400, code), value)
            self.assertIn(message.encode(), response.body)
        self.assertEqual(signed_request("HEAD", "/%s/t" % self.bucket).status, 404)
        both = signed_request("PUT", "/%s/two" % self.bucket, {"x-amz-checksum-crc32": right,
                                                                 "x-amz-checksum-sha1": checksum("SHA1", body)}, body)
        self.assertEqual((both.status, both.error_code()), (400, "InvalidRequest"))

    def test_copy_keeps_or_recomputes(self):
        body = os.urandom(3000)
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=body, ChecksumAlgorithm="SHA1")
        self.s3.copy_object(Bucket=self.bucket, Key="kept", CopySource={"Bucket": self.bucket, "Key": "src"})
        self.assertEqual(self.head_checksum("kept", "SHA1"), (checksum("SHA1", body), "FULL_OBJECT"))
        copied = self.s3.copy_object(Bucket=self.bucket, Key="sha256", ChecksumAlgorithm="SHA256",
                                     CopySource={"Bucket": self.bucket, "Key": "src"})
        self.assertEqual(copied["CopyObjectResult"]["ChecksumSHA256"], checksum("SHA256", body))
        self.assertEqual(self.head_checksum("sha256", "SHA256"), (checksum("SHA256", body), "FULL_OBJECT"))

    def test_get_object_attributes_of_a_plain_object(self):
        body = b"attributes" * 10
        self.s3.put_object(Bucket=self.bucket, Key="a", Body=body, ChecksumAlgorithm="SHA256",
                           StorageClass="STANDARD_IA")
        attrs = self.s3.get_object_attributes(
            Bucket=self.bucket, Key="a",
            ObjectAttributes=["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"])
        self.assertEqual(attrs["ETag"], hashlib.md5(body).hexdigest())
        self.assertEqual(attrs["Checksum"]["ChecksumSHA256"], checksum("SHA256", body))
        self.assertEqual(attrs["StorageClass"], "STANDARD_IA")
        self.assertEqual(attrs["ObjectSize"], len(body))
        self.assertNotIn("ObjectParts", attrs)
        self.assertIn("LastModified", attrs)
        only_size = self.s3.get_object_attributes(Bucket=self.bucket, Key="a", ObjectAttributes=["ObjectSize"])
        self.assertNotIn("ETag", only_size)
        self.assertClientError(self.s3.get_object_attributes, "NoSuchKey", 404,
                               Bucket=self.bucket, Key="missing", ObjectAttributes=["ETag"])
        bad = signed_request("GET", "/%s/a?attributes" % self.bucket, {"x-amz-object-attributes": "Colour"})
        self.assertEqual((bad.status, bad.error_code()), (400, "InvalidArgument"))
        missing = signed_request("GET", "/%s/a?attributes" % self.bucket)
        self.assertEqual((missing.status, missing.error_code()), (400, "InvalidRequest"))

    def test_get_object_attributes_of_a_version(self):
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        first = self.s3.put_object(Bucket=self.bucket, Key="v", Body=b"one")["VersionId"]
        self.s3.put_object(Bucket=self.bucket, Key="v", Body=b"second")
        attrs = self.s3.get_object_attributes(Bucket=self.bucket, Key="v", VersionId=first,
                                              ObjectAttributes=["ObjectSize"])
        self.assertEqual((attrs["ObjectSize"], attrs["VersionId"]), (3, first))

    def test_aws_cli(self):
        path = os.path.join(self.temp_dir(), "file")
        with open(path, "wb") as handle:
            handle.write(b"cli body")
        for binary in (AWS_CLI_V1, AWS_CLI_V2):
            with self.subTest(cli=binary):
                put = aws_cli(binary, "s3api", "put-object", "--bucket", self.bucket, "--key", "cli",
                              "--body", path, "--checksum-algorithm", "SHA256")
                self.assertEqual(put.returncode, 0, put.stderr)
                attrs = aws_cli(binary, "s3api", "get-object-attributes", "--bucket", self.bucket, "--key",
                                "cli", "--object-attributes", "Checksum", "ObjectSize")
                self.assertEqual(attrs.returncode, 0, attrs.stderr)
                parsed = json.loads(attrs.stdout)
                self.assertEqual(parsed["Checksum"]["ChecksumSHA256"], checksum("SHA256", b"cli body"))
                self.assertEqual(parsed["ObjectSize"], 8)


class ChecksumMultipartTests(S3TestCase):

    def upload(self, key, parts, algorithm=None, checksum_type=None, client=None):
        """Creates an upload, sends the parts (with the algorithm when given) and returns
        (upload id, the parts' Complete entries)."""
        client = client or self.s3
        extra = {"ChecksumAlgorithm": algorithm} if algorithm else {}
        if checksum_type:
            add_request_headers(client, "CreateMultipartUpload", {"x-amz-checksum-type": checksum_type})
        created = client.create_multipart_upload(Bucket=self.bucket, Key=key, **extra)
        upload_id = created["UploadId"]
        if algorithm:
            self.assertEqual(created["ResponseMetadata"]["HTTPHeaders"]["x-amz-checksum-algorithm"], algorithm)
        entries = []
        for number, data in enumerate(parts, 1):
            part = client.upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number,
                                      Body=data, **extra)
            entry = {"PartNumber": number, "ETag": part["ETag"]}
            if algorithm:
                self.assertEqual(part["Checksum" + algorithm], checksum(algorithm, data))
                entry["Checksum" + algorithm] = part["Checksum" + algorithm]
            entries.append(entry)
        return upload_id, entries

    def complete(self, key, upload_id, entries):
        return self.s3.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                                 MultipartUpload={"Parts": entries})

    def test_composite_sha256(self):
        parts = [os.urandom(5 * MIB), b"tail part"]
        upload_id, entries = self.upload("composite", parts, "SHA256")
        listed = self.s3.list_parts(Bucket=self.bucket, Key="composite", UploadId=upload_id)
        self.assertEqual(listed["ChecksumAlgorithm"], "SHA256")
        self.assertEqual([p["ChecksumSHA256"] for p in listed["Parts"]], [checksum("SHA256", p) for p in parts])
        done = self.complete("composite", upload_id, entries)
        expected = b64(hashlib.sha256(b"".join(digest("SHA256", p) for p in parts)).digest()) + "-2"
        self.assertEqual(done["ChecksumSHA256"], expected)
        head = self.s3.head_object(Bucket=self.bucket, Key="composite", ChecksumMode="ENABLED")
        self.assertEqual(head["ChecksumSHA256"], expected)
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"]["x-amz-checksum-type"], "COMPOSITE")
        got = self.s3.get_object(Bucket=self.bucket, Key="composite", ChecksumMode="ENABLED")
        self.assertEqual(got["Body"].read(), b"".join(parts))
        attrs = self.s3.get_object_attributes(Bucket=self.bucket, Key="composite", MaxParts=1,
                                              ObjectAttributes=["ObjectParts", "Checksum"])
        self.assertEqual(attrs["Checksum"]["ChecksumSHA256"], expected)
        object_parts = attrs["ObjectParts"]
        self.assertEqual(object_parts["TotalPartsCount"], 2)
        self.assertTrue(object_parts["IsTruncated"])
        self.assertEqual(object_parts["NextPartNumberMarker"], 1)
        self.assertEqual(object_parts["Parts"], [
            {"PartNumber": 1, "Size": 5 * MIB, "ChecksumSHA256": checksum("SHA256", parts[0])}])
        rest = self.s3.get_object_attributes(Bucket=self.bucket, Key="composite", PartNumberMarker=1,
                                             ObjectAttributes=["ObjectParts"])["ObjectParts"]
        self.assertFalse(rest["IsTruncated"])
        self.assertEqual([p["PartNumber"] for p in rest["Parts"]], [2])

    def test_full_object_crc32_is_validated_on_get(self):
        parts = [os.urandom(5 * MIB), os.urandom(1234)]
        upload_id, entries = self.upload("full", parts, "CRC32", "FULL_OBJECT")
        done = self.complete("full", upload_id, entries)
        whole = b"".join(parts)
        self.assertEqual(done["ChecksumCRC32"], checksum("CRC32", whole))
        got = self.s3.get_object(Bucket=self.bucket, Key="full", ChecksumMode="ENABLED")
        self.assertEqual(got["Body"].read(), whole)
        self.assertEqual(got["ChecksumCRC32"], checksum("CRC32", whole))
        self.assertEqual(got["ResponseMetadata"]["HTTPHeaders"]["x-amz-checksum-type"], "FULL_OBJECT")

    def test_upload_without_algorithm_gets_full_object_crc64nvme(self):
        parts = [os.urandom(5 * MIB), b"last"]
        upload_id, entries = self.upload("default", parts)
        self.complete("default", upload_id, entries)
        head = signed_request("HEAD", "/%s/default" % self.bucket, {"x-amz-checksum-mode": "ENABLED"})
        self.assertEqual(head.headers["x-amz-checksum-crc64nvme"], checksum("CRC64NVME", b"".join(parts)))
        self.assertEqual(head.headers["x-amz-checksum-type"], "FULL_OBJECT")

    def test_wrong_part_checksum_is_refused(self):
        upload_id, _ = self.upload("bad", [], "CRC32")
        path = "/%s/bad?partNumber=1&uploadId=%s" % (self.bucket, upload_id)
        response = signed_request("PUT", path, {"x-amz-checksum-crc32": checksum("CRC32", b"x")}, b"part")
        self.assertEqual((response.status, response.error_code()), (400, "BadDigest"))
        other = signed_request("PUT", path, {"x-amz-checksum-sha1": checksum("SHA1", b"part")}, b"part")
        self.assertEqual((other.status, other.error_code()), (400, "InvalidRequest"))
        self.assertEqual(self.s3.list_parts(Bucket=self.bucket, Key="bad", UploadId=upload_id).get("Parts", []), [])

    def test_complete_checks_part_checksums(self):
        upload_id, entries = self.upload("check", [b"only part"], "CRC32")
        entries[0]["ChecksumCRC32"] = checksum("CRC32", b"something else")
        self.assertClientError(self.complete, "InvalidPart", 400, "check", upload_id, entries)

    def complete_stating(self, key, upload_id, entries, headers):
        client = s3_client()
        add_request_headers(client, "CompleteMultipartUpload", headers)
        return client.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                                MultipartUpload={"Parts": entries})

    def test_complete_checks_the_full_object_crc64nvme_it_states(self):
        """CompleteMultipartUpload's x-amz-checksum-crc64nvme is the whole object's
        (FULL_OBJECT), checked against the parts' combined CRCs (BadDigest), as are
        x-amz-checksum-type and x-amz-mp-object-size."""
        parts = [os.urandom(5 * MIB), b"the last part"]
        whole = b"".join(parts)
        client = s3_client()
        add_request_headers(client, "CreateMultipartUpload", {"x-amz-checksum-algorithm": "CRC64NVME",
                                                              "x-amz-checksum-type": "FULL_OBJECT"})
        upload_id = client.create_multipart_upload(Bucket=self.bucket, Key="full64")["UploadId"]
        entries = []
        for number, data in enumerate(parts, 1):
            part = signed_request("PUT", "/%s/full64?partNumber=%d&uploadId=%s" % (self.bucket, number, upload_id),
                                  {"x-amz-checksum-crc64nvme": checksum("CRC64NVME", data)}, data)
            self.assertEqual(part.status, 200, part.body)
            entries.append({"PartNumber": number, "ETag": part.headers["etag"]})
            if NEW_SDK:   # older botocore has no ChecksumCRC64NVME member
                entries[-1]["ChecksumCRC64NVME"] = checksum("CRC64NVME", data)
        stated = {"x-amz-checksum-crc64nvme": checksum("CRC64NVME", whole), "x-amz-checksum-type": "FULL_OBJECT",
                  "x-amz-mp-object-size": str(len(whole))}
        for change, code in (({"x-amz-checksum-crc64nvme": checksum("CRC64NVME", b"x")}, "BadDigest"),
                             ({"x-amz-checksum-type": "COMPOSITE"}, "BadDigest"),
                             ({"x-amz-mp-object-size": str(len(whole) + 1)}, "InvalidRequest"),
                             ({"x-amz-checksum-crc64nvme": "AAAA"}, "InvalidRequest")):
            with self.subTest(change=change):
                self.assertClientError(self.complete_stating, code, 400, "full64", upload_id, entries,
                                       dict(stated, **change))
        done = self.complete_stating("full64", upload_id, entries, stated)
        self.assertEqual(done["ResponseMetadata"]["HTTPStatusCode"], 200)
        head = signed_request("HEAD", "/%s/full64" % self.bucket, {"x-amz-checksum-mode": "ENABLED"})
        self.assertEqual(head.headers["x-amz-checksum-crc64nvme"], checksum("CRC64NVME", whole))
        self.assertEqual(head.headers["x-amz-checksum-type"], "FULL_OBJECT")

    def test_complete_with_part_checksums_states_the_composite(self):
        parts = [os.urandom(5 * MIB), b"tail"]
        upload_id, entries = self.upload("comp", parts, "CRC32")
        expected = b64(zlib.crc32(b"".join(digest("CRC32", p) for p in parts)).to_bytes(4, "big")) + "-2"
        self.assertClientError(self.complete_stating, "InvalidRequest", 400, "comp", upload_id, entries,
                               {"x-amz-checksum-sha1": checksum("SHA1", b"x")})
        done = self.complete_stating("comp", upload_id, entries, {"x-amz-checksum-crc32": expected,
                                                                  "x-amz-checksum-type": "COMPOSITE"})
        self.assertEqual(done["ChecksumCRC32"], expected)

    def test_impossible_checksum_type_is_refused(self):
        response = signed_request("POST", "/%s/x?uploads" % self.bucket,
                                  {"x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "FULL_OBJECT"})
        self.assertEqual((response.status, response.error_code()), (400, "InvalidRequest"))


if __name__ == "__main__":
    unittest.main()
