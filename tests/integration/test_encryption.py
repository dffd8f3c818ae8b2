"""Server-side encryption as S3 reports it, through boto3 (both versions), aws-cli v1 and
v2, s3cmd, rclone (SSE-C with rclone: test_tls, as it sends keys over HTTPS only) and a
browser POST form:

- every write and read answers x-amz-server-side-encryption: AES256 (SSE-S3, every new
  object's default since 2023), or aws:kms with the key's ARN and the bucket-key header
  when the request or the bucket's default encryption asks for it;
- SSE-C: blocked on a new bucket (403 AccessDenied, as AWS since April 2026) until
  PutBucketEncryption sets BlockedEncryptionTypes NONE; then checked as S3 checks it
  (AES256, a 256-bit key, its MD5), needed to read (400 without, 403 with another key),
  to copy (the copy-source key headers) and for every part, echoed in the answers, and
  never stored: only its MD5 is;
- a bucket policy denying uploads without encryption, or with another algorithm, through
  s3:x-amz-server-side-encryption and s3:x-amz-server-side-encryption-customer-algorithm.

Each expectation follows AWS's documentation (the SSE-C pages, PutObject's and
BlockedEncryptionTypes' references); the error codes and messages are S3's."""
import base64
import hashlib
import json
import os
import unittest

from harness import AWS_CLI_V1, AWS_CLI_V2, RCLONE_REMOTE, S3TestCase, add_request_headers, aws_cli, endpoint, \
    rclone, s3_client, s3cmd, signed_request
from test_post_object import post_form, sigv2_policy

KEY_A = "pO3upElrwuEXSoFwCfnZPdSsmt/xWeFa0N9KgDijwVs="
MD5_A = "DWygnHRtgiJ77HCm+1rvHw=="
KEY_B = "6b+WOZ1T3cqZMxgThRcXAQBrS5mXKdDUphvpxptl9/4="
MD5_B = "arxBvwY2V4SiOne6yppVPQ=="
SSE_C_A = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY_A, "SSECustomerKeyMD5": MD5_A}
SSE_C_B = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY_B, "SSECustomerKeyMD5": MD5_B}
COPY_SOURCE_A = {"CopySourceSSECustomerAlgorithm": "AES256", "CopySourceSSECustomerKey": KEY_A,
                 "CopySourceSSECustomerKeyMD5": MD5_A}
MIB = 1024 * 1024


def allow_sse_c(bucket, default="<SSEAlgorithm>AES256</SSEAlgorithm>"):
    """What a user does on AWS before using SSE-C on a new bucket (raw XML: older boto3
    has no BlockedEncryptionTypes)."""
    body = ("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>%s"
            "</ApplyServerSideEncryptionByDefault><BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType>"
            "</BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>" % default).encode()
    response = signed_request("PUT", "/%s?encryption" % bucket, {}, body)
    assert response.status == 200, response.body


def sse_headers(response):
    return {k: v for k, v in response["ResponseMetadata"]["HTTPHeaders"].items()
            if k.startswith("x-amz-server-side-encryption")}


class ManagedEncryptionTests(S3TestCase):

    def test_sse_s3_on_every_write_and_read(self):
        put = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"data")
        self.assertEqual(put["ServerSideEncryption"], "AES256")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k")["ServerSideEncryption"], "AES256")
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="k")["ServerSideEncryption"], "AES256")
        copied = self.s3.copy_object(Bucket=self.bucket, Key="c", CopySource={"Bucket": self.bucket, "Key": "k"})
        self.assertEqual(copied["ServerSideEncryption"], "AES256")
        created = self.s3.create_multipart_upload(Bucket=self.bucket, Key="m")
        self.assertEqual(created["ServerSideEncryption"], "AES256")
        upload = created["UploadId"]
        part = self.s3.upload_part(Bucket=self.bucket, Key="m", UploadId=upload, PartNumber=1, Body=os.urandom(MIB))
        self.assertEqual(part["ServerSideEncryption"], "AES256")
        copied_part = self.s3.upload_part_copy(Bucket=self.bucket, Key="m", UploadId=upload, PartNumber=2,
                                               CopySource={"Bucket": self.bucket, "Key": "k"})
        self.assertEqual(copied_part["ServerSideEncryption"], "AES256")
        done = self.s3.complete_multipart_upload(Bucket=self.bucket, Key="m", UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        self.assertEqual(done["ServerSideEncryption"], "AES256")

    def test_sse_kms_when_asked(self):
        put = self.s3.put_object(Bucket=self.bucket, Key="kms", Body=b"x", ServerSideEncryption="aws:kms",
                                 SSEKMSKeyId="1234abcd-12ab-34cd-56ef-1234567890ab", BucketKeyEnabled=True)
        arn = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        self.assertEqual((put["ServerSideEncryption"], put["SSEKMSKeyId"], put["BucketKeyEnabled"]),
                         ("aws:kms", arn, True))
        head = self.s3.head_object(Bucket=self.bucket, Key="kms")
        self.assertEqual((head["ServerSideEncryption"], head["SSEKMSKeyId"], head["BucketKeyEnabled"]),
                         ("aws:kms", arn, True))
        # Without a key id: the account's AWS managed key (aws/s3), the same each time.
        first = self.s3.put_object(Bucket=self.bucket, Key="managed", Body=b"x", ServerSideEncryption="aws:kms")
        again = self.s3.put_object(Bucket=self.bucket, Key="managed2", Body=b"x", ServerSideEncryption="aws:kms")
        self.assertTrue(first["SSEKMSKeyId"].startswith("arn:aws:kms:us-east-1:000000000000:key/"))
        self.assertEqual(first["SSEKMSKeyId"], again["SSEKMSKeyId"])
        self.assertNotIn("BucketKeyEnabled", first)
        context = base64.b64encode(json.dumps({"team": "data"}).encode()).decode()
        with_context = self.s3.put_object(Bucket=self.bucket, Key="ctx", Body=b"x", ServerSideEncryption="aws:kms",
                                          SSEKMSEncryptionContext=context)
        self.assertEqual(with_context["SSEKMSEncryptionContext"], context)
        # A copy gets what it asks for (here SSE-S3 again), never the source's.
        copy = self.s3.copy_object(Bucket=self.bucket, Key="plain", CopySource={"Bucket": self.bucket, "Key": "kms"})
        self.assertEqual(copy["ServerSideEncryption"], "AES256")
        onto_itself = self.s3.copy_object(Bucket=self.bucket, Key="plain", ServerSideEncryption="aws:kms",
                                          CopySource={"Bucket": self.bucket, "Key": "plain"})
        self.assertEqual(onto_itself["ServerSideEncryption"], "aws:kms")

    def test_bucket_default_kms_applies(self):
        self.s3.put_bucket_encryption(Bucket=self.bucket, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/app"},
            "BucketKeyEnabled": True}]})
        put = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x")
        self.assertEqual((put["ServerSideEncryption"], put["SSEKMSKeyId"], put["BucketKeyEnabled"]),
                         ("aws:kms", "arn:aws:kms:us-east-1:000000000000:alias/app", True))
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key="m")
        self.assertEqual(upload["ServerSideEncryption"], "aws:kms")
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key="m", UploadId=upload["UploadId"])
        asked = self.s3.put_object(Bucket=self.bucket, Key="aes", Body=b"x", ServerSideEncryption="AES256")
        self.assertEqual(asked["ServerSideEncryption"], "AES256")
        self.s3.delete_bucket_encryption(Bucket=self.bucket)
        self.assertEqual(self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x")["ServerSideEncryption"], "AES256")

    def test_headers_s3_refuses(self):
        for headers, code in (({"x-amz-server-side-encryption": "AES192"}, "InvalidArgument"),
                              ({"x-amz-server-side-encryption": "AES256",
                                "x-amz-server-side-encryption-aws-kms-key-id": "k"}, "InvalidArgument"),
                              ({"x-amz-server-side-encryption": "aws:kms",
                                "x-amz-server-side-encryption-context": "bm90IGpzb24="}, "InvalidArgument")):
            with self.subTest(headers=headers):
                response = signed_request("PUT", "/%s/refused" % self.bucket, headers, b"x")
                self.assertEqual((response.status, response.error_code()), (400, code), response.body)
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="refused")

    def test_aws_cli(self):
        path = os.path.join(self.temp_dir(), "f")
        with open(path, "wb") as handle:
            handle.write(b"cli bytes")
        for cli in (AWS_CLI_V1, AWS_CLI_V2):
            with self.subTest(cli=cli):
                done = aws_cli(cli, "s3", "cp", path, "s3://%s/cli" % self.bucket, "--sse", "aws:kms",
                               "--sse-kms-key-id", "alias/cli")
                self.assertEqual(done.returncode, 0, done.stderr)
                head = json.loads(aws_cli(cli, "s3api", "head-object", "--bucket", self.bucket, "--key", "cli").stdout)
                self.assertEqual((head["ServerSideEncryption"], head["SSEKMSKeyId"]),
                                 ("aws:kms", "arn:aws:kms:us-east-1:000000000000:alias/cli"))
                done = aws_cli(cli, "s3api", "put-object", "--bucket", self.bucket, "--key", "plain", "--body", path)
                self.assertEqual(json.loads(done.stdout)["ServerSideEncryption"], "AES256")

    def test_s3cmd_and_rclone(self):
        local = os.path.join(self.temp_dir(), "f")
        with open(local, "wb") as handle:
            handle.write(b"tool bytes")
        done = s3cmd("put", "--server-side-encryption", "--server-side-encryption-kms-id", "alias/tool", local,
                     "s3://%s/s3cmd" % self.bucket)
        self.assertEqual(done.returncode, 0, done.stderr)
        head = self.s3.head_object(Bucket=self.bucket, Key="s3cmd")
        self.assertEqual((head["ServerSideEncryption"], head["SSEKMSKeyId"]),
                         ("aws:kms", "arn:aws:kms:us-east-1:000000000000:alias/tool"))
        done = rclone("copyto", "--s3-server-side-encryption", "aws:kms", local, "%s:%s/rclone" % (RCLONE_REMOTE,
                                                                                                   self.bucket))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="rclone")["ServerSideEncryption"], "aws:kms")

    def test_post_form_fields(self):
        path = "/" + self.bucket
        fields = sigv2_policy([{"bucket": self.bucket}, ["starts-with", "$key", ""],
                               {"x-amz-server-side-encryption": "aws:kms"}])
        response = post_form(path, [("key", "posted")] + fields + [("x-amz-server-side-encryption", "aws:kms")],
                             b"form bytes")
        self.assertEqual(response.status, 204, response.body)
        self.assertEqual(response.headers["x-amz-server-side-encryption"], "aws:kms")
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="posted")["ServerSideEncryption"], "aws:kms")


class CustomerKeyTests(S3TestCase):

    def test_new_bucket_blocks_sse_c(self):
        """Since April 2026 S3 blocks SSE-C on new buckets: 403 AccessDenied, also with a
        bad key, until BlockedEncryptionTypes is NONE; GetBucketEncryption shows it."""
        self.assertClientError(self.s3.put_object, "AccessDenied", 403, Bucket=self.bucket, Key="c", Body=b"x",
                               **SSE_C_A)
        self.assertClientError(self.s3.create_multipart_upload, "AccessDenied", 403, Bucket=self.bucket, Key="c",
                               **SSE_C_A)
        raw = signed_request("GET", "/%s?encryption" % self.bucket)
        self.assertIn(b"<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>",
                      raw.body)
        allow_sse_c(self.bucket)
        self.assertIn(b"<EncryptionType>NONE</EncryptionType>", signed_request("GET", "/%s?encryption" % self.bucket).body)
        put = self.s3.put_object(Bucket=self.bucket, Key="c", Body=b"x", **SSE_C_A)
        self.assertEqual((put["SSECustomerAlgorithm"], put["SSECustomerKeyMD5"]), ("AES256", MD5_A))
        self.assertNotIn("ServerSideEncryption", put)

    def test_reading_needs_the_same_key(self):
        allow_sse_c(self.bucket)
        body = os.urandom(3000)
        self.s3.put_object(Bucket=self.bucket, Key="c", Body=body, **SSE_C_A)
        response = self.assertClientError(self.s3.get_object, "InvalidRequest", 400, Bucket=self.bucket, Key="c")
        self.assertEqual(response["Error"]["Message"], "The object was stored using a form of Server Side "
                                                       "Encryption. The correct parameters must be provided to "
                                                       "retrieve the object.")
        self.assertClientError(self.s3.head_object, "400", 400, Bucket=self.bucket, Key="c")
        self.assertClientError(self.s3.get_object, "AccessDenied", 403, Bucket=self.bucket, Key="c", **SSE_C_B)
        self.assertClientError(self.s3.head_object, "403", 403, Bucket=self.bucket, Key="c", **SSE_C_B)
        got = self.s3.get_object(Bucket=self.bucket, Key="c", **SSE_C_A)
        self.assertEqual((got["Body"].read(), got["SSECustomerAlgorithm"], got["SSECustomerKeyMD5"]),
                         (body, "AES256", MD5_A))
        ranged = self.s3.get_object(Bucket=self.bucket, Key="c", Range="bytes=10-19", **SSE_C_A)
        self.assertEqual(ranged["Body"].read(), body[10:20])
        head = self.s3.head_object(Bucket=self.bucket, Key="c", **SSE_C_A)
        self.assertEqual(head["SSECustomerKeyMD5"], MD5_A)
        self.s3.get_object_attributes(Bucket=self.bucket, Key="c", ObjectAttributes=["ObjectSize"], **SSE_C_A)
        self.assertClientError(self.s3.get_object_attributes, "InvalidRequest", 400, Bucket=self.bucket, Key="c",
                               ObjectAttributes=["ObjectSize"])
        # A key for an object stored without one.
        self.s3.put_object(Bucket=self.bucket, Key="plain", Body=b"x")
        response = self.assertClientError(self.s3.get_object, "InvalidRequest", 400, Bucket=self.bucket,
                                          Key="plain", **SSE_C_A)
        self.assertEqual(response["Error"]["Message"], "The encryption parameters are not applicable to this object.")

    def test_key_checks(self):
        allow_sse_c(self.bucket)
        md5_of = lambda raw: base64.b64encode(hashlib.md5(raw).digest()).decode()  # noqa: E731
        short = base64.b64encode(b"k" * 16).decode()
        prefix = "x-amz-server-side-encryption-customer-"
        for headers, code, message in (
                ({"algorithm": "AES256", "key": KEY_A, "key-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, "InvalidArgument",
                 "The calculated MD5 hash of the key did not match the hash that was provided."),
                ({"algorithm": "AES256", "key": KEY_A}, "InvalidArgument",
                 "Requests specifying Server Side Encryption with Customer provided keys must provide the client "
                 "calculated MD5 of the secret key."),
                ({"algorithm": "AES256"}, "InvalidArgument",
                 "Requests specifying Server Side Encryption with Customer provided keys must provide an "
                 "appropriate secret key."),
                ({"key": KEY_A, "key-MD5": MD5_A}, "InvalidArgument",
                 "Requests specifying Server Side Encryption with Customer provided keys must provide a valid "
                 "encryption algorithm."),
                ({"algorithm": "AES256", "key": short, "key-MD5": md5_of(b"k" * 16)}, "InvalidArgument",
                 "The secret key was invalid for the specified algorithm."),
                ({"algorithm": "AES192", "key": KEY_A, "key-MD5": MD5_A}, "InvalidEncryptionAlgorithmError", None)):
            with self.subTest(headers=headers):
                response = signed_request("PUT", "/%s/bad" % self.bucket,
                                          {prefix + name: value for name, value in headers.items()}, b"x")
                self.assertEqual((response.status, response.error_code()), (400, code), response.body)
                if message:
                    self.assertIn(message.encode(), response.body)
        both = signed_request("PUT", "/%s/bad" % self.bucket, {
            "x-amz-server-side-encryption": "AES256", prefix + "algorithm": "AES256", prefix + "key": KEY_A,
            prefix + "key-MD5": MD5_A}, b"x")
        self.assertEqual((both.status, both.error_code()), (400, "InvalidArgument"))
        self.assertIn(b"incompatible with the encryption method specified", both.body)
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="bad")

    def test_copies_need_the_source_key(self):
        allow_sse_c(self.bucket)
        body = os.urandom(6 * MIB)
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=body, **SSE_C_A)
        source = {"Bucket": self.bucket, "Key": "src"}
        self.assertClientError(self.s3.copy_object, "InvalidRequest", 400, Bucket=self.bucket, Key="dst",
                               CopySource=source)
        wrong = dict(COPY_SOURCE_A, CopySourceSSECustomerKey=KEY_B, CopySourceSSECustomerKeyMD5=MD5_B)
        self.assertClientError(self.s3.copy_object, "AccessDenied", 403, Bucket=self.bucket, Key="dst",
                               CopySource=source, **wrong)
        copied = self.s3.copy_object(Bucket=self.bucket, Key="dst", CopySource=source, **COPY_SOURCE_A, **SSE_C_B)
        self.assertEqual(copied["SSECustomerKeyMD5"], MD5_B)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="dst", **SSE_C_B)["Body"].read(), body)
        plain = self.s3.copy_object(Bucket=self.bucket, Key="plain", CopySource=source, **COPY_SOURCE_A)
        self.assertEqual(plain["ServerSideEncryption"], "AES256")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="plain")["Body"].read(), body)
        # Multipart: every part carries the upload's key; UploadPartCopy the source's too.
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key="mp", **SSE_C_B)
        self.assertEqual(upload["SSECustomerKeyMD5"], MD5_B)
        upload_id = upload["UploadId"]
        self.assertClientError(self.s3.upload_part, "InvalidRequest", 400, Bucket=self.bucket, Key="mp",
                               UploadId=upload_id, PartNumber=1, Body=b"x")
        self.assertClientError(self.s3.upload_part, "InvalidArgument", 400, Bucket=self.bucket, Key="mp",
                               UploadId=upload_id, PartNumber=1, Body=b"x", **SSE_C_A)
        first = self.s3.upload_part_copy(Bucket=self.bucket, Key="mp", UploadId=upload_id, PartNumber=1,
                                         CopySource=source, CopySourceRange="bytes=0-%d" % (5 * MIB - 1),
                                         **COPY_SOURCE_A, **SSE_C_B)
        self.assertEqual(first["SSECustomerKeyMD5"], MD5_B)
        second = self.s3.upload_part(Bucket=self.bucket, Key="mp", UploadId=upload_id, PartNumber=2, Body=b"tail",
                                     **SSE_C_B)
        self.assertEqual(second["SSECustomerKeyMD5"], MD5_B)
        done = self.s3.complete_multipart_upload(Bucket=self.bucket, Key="mp", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": first["CopyPartResult"]["ETag"]},
                      {"PartNumber": 2, "ETag": second["ETag"]}]})
        self.assertEqual(sse_headers(done), {})   # CompleteMultipartUpload does not report SSE-C
        self.assertClientError(self.s3.get_object, "InvalidRequest", 400, Bucket=self.bucket, Key="mp")
        got = self.s3.get_object(Bucket=self.bucket, Key="mp", PartNumber=2, **SSE_C_B)
        self.assertEqual(got["Body"].read(), b"tail")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="mp", **SSE_C_B)["Body"].read(),
                         body[:5 * MIB] + b"tail")

    def test_only_the_key_md5_is_stored(self):
        self.require_managed_server()
        allow_sse_c(self.bucket)
        self.s3.put_object(Bucket=self.bucket, Key="c", Body=b"x" * 100, **SSE_C_A)
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key="u", **SSE_C_A)["UploadId"]
        self.s3.upload_part(Bucket=self.bucket, Key="u", UploadId=upload, PartNumber=1, Body=b"p", **SSE_C_A)
        raw_key = base64.b64decode(KEY_A)
        seen_md5 = False
        for folder, _, files in os.walk(endpoint().data_dir):
            for name in files:
                with open(os.path.join(folder, name), "rb") as handle:
                    data = handle.read()
                self.assertNotIn(KEY_A.encode(), data, name)
                self.assertNotIn(raw_key, data, name)
                seen_md5 = seen_md5 or MD5_A.encode() in data
        self.assertTrue(seen_md5)

    def test_aws_cli(self):
        allow_sse_c(self.bucket)
        work = self.temp_dir()
        path = os.path.join(work, "f")
        with open(path, "wb") as handle:
            handle.write(os.urandom(7 * MIB))
        for cli in (AWS_CLI_V1, AWS_CLI_V2):
            with self.subTest(cli=cli):
                key_file = os.path.join(work, "key.bin")
                with open(key_file, "wb") as handle:
                    handle.write(base64.b64decode(KEY_A))
                done = aws_cli(cli, "s3", "cp", path, "s3://%s/cli" % self.bucket, "--sse-c", "AES256",
                               "--sse-c-key", "fileb://" + key_file)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertNotEqual(aws_cli(cli, "s3api", "head-object", "--bucket", self.bucket, "--key",
                                            "cli").returncode, 0)
                back = os.path.join(work, "back")
                done = aws_cli(cli, "s3", "cp", "s3://%s/cli" % self.bucket, back, "--sse-c", "AES256",
                               "--sse-c-key", "fileb://" + key_file)
                self.assertEqual(done.returncode, 0, done.stderr)
                with open(path, "rb") as a, open(back, "rb") as b:
                    self.assertEqual(a.read(), b.read())



class EncryptionPolicyTests(S3TestCase):

    def deny_put(self, condition):
        self.s3.put_bucket_policy(Bucket=self.bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::%s/*" % self.bucket, "Condition": condition}]}))

    def test_deny_other_algorithms(self):
        self.deny_put({"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}})
        self.assertClientError(self.s3.put_object, "AccessDenied", 403, Bucket=self.bucket, Key="k", Body=b"x",
                               ServerSideEncryption="aws:kms")
        self.assertClientError(self.s3.put_object, "AccessDenied", 403, Bucket=self.bucket, Key="k", Body=b"x")
        put = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x", ServerSideEncryption="AES256")
        self.assertEqual(put["ServerSideEncryption"], "AES256")

    def test_deny_uploads_without_sse_c(self):
        allow_sse_c(self.bucket)
        self.deny_put({"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "true"}})
        self.assertClientError(self.s3.put_object, "AccessDenied", 403, Bucket=self.bucket, Key="k", Body=b"x")
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x", **SSE_C_A)

    def test_deny_other_customer_algorithms(self):
        allow_sse_c(self.bucket)
        self.deny_put({"StringNotEquals": {"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}})
        client = s3_client()
        add_request_headers(client, "PutObject", {"x-amz-server-side-encryption-customer-algorithm": "AES192"})
        self.assertClientError(client.put_object, "AccessDenied", 403, Bucket=self.bucket, Key="k", Body=b"x")
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x", **SSE_C_A)


if __name__ == "__main__":
    unittest.main()
