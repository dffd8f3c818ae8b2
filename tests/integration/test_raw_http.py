"""Bad input over raw HTTP, signed with botocore's SigV4 signer where needed: missing
or wrong signatures, unknown keys, clock skew, a payload that does not match its signed
hash, malformed DeleteObjects XML, a 100 KB header and a body cut short. Each must get
AWS's error (or a closed connection for the oversized header), change nothing, and
leave the server serving."""
import base64
import datetime
import hashlib
import http.client
import socket
import time
import unittest

from harness import S3TestCase, raw_request, sign_request, signed_request


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
