"""Bad input over raw HTTP, signed with botocore's SigV4 signer where needed: missing
or wrong signatures, unknown keys, clock skew, a payload that does not match its signed
hash, malformed DeleteObjects XML, a 100 KB header and a body cut short. Each must get
AWS's error (or a closed connection for the oversized header), change nothing, and
leave the server serving. Also boto3 signing with SigV2 (signature_version "s3"), whose
bucket requests sign the resource /bucket/ for /bucket, as S3 accepts."""
import base64
import datetime
import hashlib
import http.client
import socket
import time
import unittest

import boto3
import botocore
from botocore.config import Config

from harness import S3TestCase, empty_and_delete_bucket, raw_request, s3_client, sign_request, signed_request, \
    unique_bucket_name

# botocore before 1.31 puts the query of a sub-resource request into its SigV2
# resource twice ("/b/k?acl?acl"), which S3 refuses as well.
SIGV2_SUB_RESOURCES = tuple(int(x) for x in botocore.__version__.split(".")[:2]) >= (1, 31)


class SigV2ClientTests(S3TestCase):

    CREATE_BUCKET = False

    def test_boto3_signature_version_s3(self):
        s3 = s3_client(signature_version="s3")
        bucket = unique_bucket_name("sigv2")
        self.addCleanup(empty_and_delete_bucket, self.s3, bucket)
        s3.create_bucket(Bucket=bucket)
        s3.head_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="dir/a b.txt", Body=b"v2")
        self.assertEqual([o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]], ["dir/a b.txt"])
        self.assertEqual(s3.get_object(Bucket=bucket, Key="dir/a b.txt")["Body"].read(), b"v2")
        if SIGV2_SUB_RESOURCES:
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
            s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
            self.assertEqual(s3.get_bucket_tagging(Bucket=bucket)["TagSet"], [{"Key": "k", "Value": "v"}])
            self.assertEqual(s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
                             ["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
            s3.get_object_acl(Bucket=bucket, Key="dir/a b.txt")
            self.assertEqual(s3.list_objects_v2(Bucket=bucket, Prefix="dir/")["KeyCount"], 1)
            upload = s3.create_multipart_upload(Bucket=bucket, Key="m")["UploadId"]
            self.assertEqual([u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]], [upload])
            s3.abort_multipart_upload(Bucket=bucket, Key="m", UploadId=upload)
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "dir/a b.txt"}]})
            self.assertEqual(len(s3.list_object_versions(Bucket=bucket)["DeleteMarkers"]), 1)
        else:
            s3.delete_object(Bucket=bucket, Key="dir/a b.txt")
            s3.delete_bucket(Bucket=bucket)
            self.assertClientError(self.s3.head_bucket, "404", 404, Bucket=bucket)

    def test_wrong_secret_still_fails(self):
        wrong = boto3.client("s3", endpoint_url=self.endpoint.url, region_name="us-east-1",
                             aws_access_key_id="test", aws_secret_access_key="not-the-secret",
                             config=Config(signature_version="s3", s3={"addressing_style": "path"},
                                           retries={"total_max_attempts": 1}))
        self.assertClientError(wrong.create_bucket, "SignatureDoesNotMatch", 403, Bucket=unique_bucket_name("v2bad"))


class RawHttpTests(S3TestCase):

    def assertServerStillServes(self):
        response = signed_request("GET", "/" + self.bucket)
        self.assertEqual(response.status, 200, response.body)

    def test_signed_request_is_accepted(self):
        self.s3.put_object(Bucket=self.bucket, Key="seen", Body=b"x")
        response = signed_request("GET", "/" + self.bucket)
        self.assertEqual(response.status, 200, response.body)
        self.assertIn(b"ListBucketResult", response.body)
        self.assertIn(b"<Key>seen</Key>", response.body)

    def test_missing_signature_is_access_denied(self):
        response = raw_request("GET", "/" + self.bucket)
        self.assertEqual(response.status, 403)
        self.assertEqual(response.error_code(), "AccessDenied")

    def test_wrong_secret_is_signature_does_not_match(self):
        response = signed_request("GET", "/" + self.bucket, secret_key="not-the-secret")
        self.assertEqual(response.status, 403)
        self.assertEqual(response.error_code(), "SignatureDoesNotMatch")

    def test_unknown_access_key_is_invalid_access_key_id(self):
        response = signed_request("GET", "/" + self.bucket, access_key="AKIAUNKNOWNKEY000000")
        self.assertEqual(response.status, 403)
        self.assertEqual(response.error_code(), "InvalidAccessKeyId")

    def test_skewed_clock_is_request_time_too_skewed(self):
        skewed = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
        response = signed_request("GET", "/" + self.bucket, when=skewed)
        self.assertEqual(response.status, 403)
        self.assertEqual(response.error_code(), "RequestTimeTooSkewed")

    def test_body_not_matching_signed_hash_is_rejected_and_not_stored(self):
        path = "/%s/swapped" % self.bucket
        headers = sign_request("PUT", path, {"Host": self.endpoint.hostport}, b"signed body")
        response = raw_request("PUT", path, headers, b"sent   body")
        self.assertEqual(response.status, 400)
        self.assertEqual(response.error_code(), "XAmzContentSHA256Mismatch")
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="swapped")

    def test_malformed_delete_xml_is_malformed_xml(self):
        self.s3.put_object(Bucket=self.bucket, Key="survivor", Body=b"x")
        body = b"<Delete><Object><Key>survivor</Key></Object"
        headers = {"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode(),
                   "Content-Type": "application/xml"}
        response = signed_request("POST", "/%s?delete" % self.bucket, headers, body)
        self.assertEqual(response.status, 400, response.body)
        self.assertEqual(response.error_code(), "MalformedXML")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="survivor")["Body"].read(), b"x")

    def test_oversized_header_is_refused(self):
        headers = sign_request("GET", "/" + self.bucket, {"Host": self.endpoint.hostport})
        headers["X-Huge"] = "a" * 100000
        try:
            response = raw_request("GET", "/" + self.bucket, headers)
        except (ConnectionError, http.client.HTTPException, socket.timeout):
            response = None
        if response is not None:
            self.assertIn(response.status, (400, 431))
        self.assertServerStillServes()

    def test_truncated_body_stores_nothing(self):
        path = "/%s/truncated" % self.bucket
        body = b"z" * 100000
        headers = sign_request("PUT", path, {"Host": self.endpoint.hostport}, body)
        headers["Content-Length"] = str(len(body))
        head = "PUT %s HTTP/1.1\r\n%s\r\n" % (path, "".join("%s: %s\r\n" % item for item in headers.items()))
        with socket.create_connection((self.endpoint.host, self.endpoint.port), timeout=5) as connection:
            connection.sendall(head.encode() + body[:1000])
            time.sleep(0.2)
        time.sleep(0.3)
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="truncated")
        self.assertEqual(self.s3.list_objects_v2(Bucket=self.bucket)["KeyCount"], 0)
        self.assertServerStillServes()


if __name__ == "__main__":
    unittest.main()
