"""Browser POST uploads (PostObject): boto3's generate_presigned_post (SigV4 policy) and a
SigV2 policy, the form posted with http.client as a browser would — fields, then the file;
success_action_status / success_action_redirect variants, ${filename}, content-length-range,
policy violations and bad signatures refused with AWS's errors, and nothing stored then."""
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import unittest
import urllib.parse
import uuid
import zlib
import xml.etree.ElementTree as ElementTree

from harness import ACCESS_KEY, SECRET_KEY, RawResponse, S3TestCase, endpoint, s3_client
from test_bucket_config import ALL_USERS, allow_acls
from test_notifications import NotificationTestCase, drain, records


def post_form(path, fields, file_body, filename="upload.bin", file_type="application/octet-stream"):
    """POSTs a multipart/form-data body: fields in order, then the file."""
    boundary = "----cloudless" + uuid.uuid4().hex
    chunks = []
    for name, value in fields:
        chunks.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                       % (boundary, name, value)).encode())
    chunks.append(("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                   "Content-Type: %s\r\n\r\n" % (boundary, filename, file_type)).encode())
    chunks.append(file_body)
    chunks.append(("\r\n--%s--\r\n" % boundary).encode())
    body = b"".join(chunks)
    connection = http.client.HTTPConnection(endpoint().host, endpoint().port, timeout=30)
    try:
        connection.request("POST", path, body, {"Content-Type": "multipart/form-data; boundary=" + boundary})
        response = connection.getresponse()
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def sigv2_policy(conditions, expires_in=300):
    expiration = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=expires_in))
    policy = base64.b64encode(json.dumps({
        "expiration": expiration.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "conditions": conditions}).encode()).decode()
    signature = base64.b64encode(hmac.new(SECRET_KEY.encode(), policy.encode(), hashlib.sha1).digest()).decode()
    return [("AWSAccessKeyId", ACCESS_KEY), ("policy", policy), ("signature", signature)]


class PostObjectTests(S3TestCase):

    def presigned(self, key, fields=None, conditions=None, expires=300):
        post = s3_client(signature_version="s3v4").generate_presigned_post(self.bucket, key, Fields=fields, Conditions=conditions,
                                               ExpiresIn=expires)
        path = urllib.parse.urlparse(post["url"]).path
        return path, list(post["fields"].items())

    def test_default_answer_is_204_and_object_is_stored(self):
        path, fields = self.presigned("posted.txt")
        response = post_form(path, fields, b"hello from a browser")
        self.assertEqual(response.status, 204, response.body)
        self.assertEqual(response.headers["etag"], '"%s"' % hashlib.md5(b"hello from a browser").hexdigest())
        got = self.s3.get_object(Bucket=self.bucket, Key="posted.txt")
        self.assertEqual(got["Body"].read(), b"hello from a browser")

    def test_status_201_and_200(self):
        path, fields = self.presigned("created", {"success_action_status": "201"},
                                      [{"success_action_status": "201"}])
        response = post_form(path, fields, b"x")
        self.assertEqual(response.status, 201, response.body)
        root = ElementTree.fromstring(response.body)
        self.assertEqual(root.tag, "PostResponse")
        self.assertEqual(root.findtext("Bucket"), self.bucket)
        self.assertEqual(root.findtext("Key"), "created")
        self.assertEqual(root.findtext("ETag"), '"%s"' % hashlib.md5(b"x").hexdigest())
        path, fields = self.presigned("ok", {"success_action_status": "200"}, [{"success_action_status": "200"}])
        self.assertEqual(post_form(path, fields, b"y").status, 200)

    def test_redirect(self):
        url = "http://example.com/done?from=form"
        path, fields = self.presigned("redirected", {"success_action_redirect": url},
                                      [{"success_action_redirect": url}])
        response = post_form(path, fields, b"z")
        self.assertEqual(response.status, 303, response.body)
        location = urllib.parse.urlparse(response.headers["location"])
        query = urllib.parse.parse_qs(location.query)
        self.assertEqual(location.netloc, "example.com")
        self.assertEqual(query["bucket"], [self.bucket])
        self.assertEqual(query["key"], ["redirected"])
        self.assertEqual(query["etag"], ['"%s"' % hashlib.md5(b"z").hexdigest()])
        self.assertEqual(query["from"], ["form"])

    def test_acl_field(self):
        path, fields = self.presigned("public.txt", {"acl": "public-read"}, [{"acl": "public-read"}])
        response = post_form(path, fields, b"shared")
        self.assertEqual((response.status, response.error_code()), (400, "AccessControlListNotSupported"))
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="public.txt")
        allow_acls(self.s3, self.bucket)
        response = post_form(path, fields, b"shared")
        self.assertEqual(response.status, 204, response.body)
        grants = self.s3.get_object_acl(Bucket=self.bucket, Key="public.txt")["Grants"]
        self.assertIn({"Type": "Group", "URI": ALL_USERS}, [g["Grantee"] for g in grants if g["Permission"] == "READ"])

    def test_tagging_storage_class_and_checksum_fields(self):
        tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet></Tagging>"
        crc32 = base64.b64encode(zlib.crc32(b"tagged").to_bytes(4, "big")).decode()
        extra = {"tagging": tagging, "x-amz-storage-class": "STANDARD_IA", "x-amz-checksum-crc32": crc32}
        path, fields = self.presigned("tagged", extra, [{k: v} for k, v in extra.items()])
        response = post_form(path, fields, b"tagged")
        self.assertEqual(response.status, 204, response.body)
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="tagged")["TagSet"],
                         [{"Key": "team", "Value": "web"}])
        head = self.s3.head_object(Bucket=self.bucket, Key="tagged", ChecksumMode="ENABLED")
        self.assertEqual((head["StorageClass"], head["ChecksumCRC32"]), ("STANDARD_IA", crc32))
        wrong = dict(extra, **{"x-amz-checksum-crc32": base64.b64encode(b"\0\0\0\0").decode()})
        path, fields = self.presigned("mismatch", wrong, [{k: v} for k, v in wrong.items()])
        response = post_form(path, fields, b"tagged")
        self.assertEqual((response.status, response.error_code()), (400, "BadDigest"))
        bad_class = {"x-amz-storage-class": "NO_SUCH_CLASS"}
        path, fields = self.presigned("bad-class", bad_class, [bad_class])
        response = post_form(path, fields, b"x")
        self.assertEqual((response.status, response.error_code()), (400, "InvalidArgument"))
        for key in ("mismatch", "bad-class"):
            self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key=key)

    def test_filename_in_key_metadata_and_content_type(self):
        path, fields = self.presigned("uploads/${filename}", {"Content-Type": "text/plain", "x-amz-meta-note": "hi"},
                                      [{"Content-Type": "text/plain"}, {"x-amz-meta-note": "hi"}])
        response = post_form(path, fields, b"named", filename="report.txt")
        self.assertEqual(response.status, 204, response.body)
        head = self.s3.head_object(Bucket=self.bucket, Key="uploads/report.txt")
        self.assertEqual(head["ContentType"], "text/plain")
        self.assertEqual(head["Metadata"], {"note": "hi"})

    def test_content_length_range(self):
        path, fields = self.presigned("sized", conditions=[["content-length-range", 2, 10]])
        too_big = post_form(path, fields, b"0123456789abc")
        self.assertEqual((too_big.status, too_big.error_code()), (400, "EntityTooLarge"))
        too_small = post_form(path, fields, b"0")
        self.assertEqual((too_small.status, too_small.error_code()), (400, "EntityTooSmall"))
        self.assertEqual(post_form(path, fields, b"01234").status, 204)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="sized")["Body"].read(), b"01234")

    def test_policy_violations_are_refused(self):
        path, fields = self.presigned("fixed")
        self.assertIn("x-amz-signature", [k.lower() for k, _ in fields])
        wrong_key = [(k, "other" if k == "key" else v) for k, v in fields]
        response = post_form(path, wrong_key, b"a")
        self.assertEqual((response.status, response.error_code()), (403, "AccessDenied"))
        self.assertIn(b"Invalid according to Policy: Policy Condition failed", response.body)
        extra = post_form(path, fields + [("x-amz-meta-sneaky", "1")], b"a")
        self.assertEqual((extra.status, extra.error_code()), (403, "AccessDenied"))
        self.assertIn(b"Extra input fields: x-amz-meta-sneaky", extra.body)
        expired_path, expired_fields = self.presigned("late", expires=-10)
        expired = post_form(expired_path, expired_fields, b"a")
        self.assertEqual((expired.status, expired.error_code()), (403, "AccessDenied"))
        self.assertIn(b"Policy expired", expired.body)
        bad_signature = [(k, "0" * 64 if k.lower() == "x-amz-signature" else v) for k, v in fields]
        forged = post_form(path, bad_signature, b"a")
        self.assertEqual((forged.status, forged.error_code()), (403, "SignatureDoesNotMatch"))
        for key in ("fixed", "other", "late"):
            self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key=key)

    def test_sigv2_policy(self):
        fields = [("key", "v2-object")] + sigv2_policy([{"bucket": self.bucket}, ["starts-with", "$key", "v2-"]])
        self.assertEqual(post_form("/" + self.bucket, fields, b"legacy").status, 204)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="v2-object")["Body"].read(), b"legacy")
        wrong_bucket = [("key", "v2-x")] + sigv2_policy([{"bucket": "another"}, ["starts-with", "$key", "v2-"]])
        self.assertEqual(post_form("/" + self.bucket, wrong_bucket, b"no").status, 403)

    def test_form_errors(self):
        path, fields = self.presigned("k")
        no_key = post_form(path, sigv2_policy([{"bucket": self.bucket}]), b"a")
        self.assertEqual((no_key.status, no_key.error_code()), (400, "InvalidArgument"))
        not_a_form = post_form_raw(path, "application/octet-stream", b"plain")
        self.assertEqual((not_a_form.status, not_a_form.error_code()), (412, "PreconditionFailed"))
        missing_bucket = post_form("/no-such-bucket-" + uuid.uuid4().hex[:8], fields, b"a")
        self.assertEqual((missing_bucket.status, missing_bucket.error_code()), (404, "NoSuchBucket"))
        anonymous = post_form(path, [("key", "anon")], b"a")
        self.assertEqual((anonymous.status, anonymous.error_code()), (403, "AccessDenied"))

    def test_anonymous_form(self):
        """A form without policy or signature is an anonymous request (AWS): refused
        unless the bucket lets anyone write — here its ACL, as ceph's s3-tests set
        up (the ownership allowing ACLs and no public access block first, as a new
        AWS bucket needs)."""
        path = "/" + self.bucket
        fields = [("key", "foo.txt"), ("acl", "public-read"), ("Content-Type", "text/plain")]
        refused = post_form(path, fields, b"bar")
        self.assertEqual((refused.status, refused.error_code()), (403, "AccessDenied"))
        allow_acls(self.s3, self.bucket)
        self.s3.put_bucket_acl(Bucket=self.bucket, ACL="public-read-write")
        response = post_form(path, fields, b"bar")
        self.assertEqual(response.status, 204, response.body)
        got = self.s3.get_object(Bucket=self.bucket, Key="foo.txt")
        self.assertEqual((got["Body"].read(), got["ContentType"]), (b"bar", "text/plain"))
        grants = self.s3.get_object_acl(Bucket=self.bucket, Key="foo.txt")["Grants"]
        self.assertIn({"Type": "Group", "URI": ALL_USERS}, [g["Grantee"] for g in grants if g["Permission"] == "READ"])
        self.s3.put_bucket_acl(Bucket=self.bucket, ACL="public-read")
        refused = post_form(path, [("key", "bar.txt")], b"x")
        self.assertEqual((refused.status, refused.error_code()), (403, "AccessDenied"))

    def test_large_file_streams(self):
        body = bytes(range(256)) * 40000
        path, fields = self.presigned("large.bin")
        self.assertEqual(post_form(path, fields, body).status, 204)
        got = self.s3.get_object(Bucket=self.bucket, Key="large.bin")["Body"].read()
        self.assertEqual(hashlib.sha256(got).digest(), hashlib.sha256(body).digest())


class PostObjectEventTests(NotificationTestCase):

    def test_post_emits_object_created_post(self):
        url, _ = self.queue_with_config(["s3:ObjectCreated:Post"])
        post = s3_client(signature_version="s3v4").generate_presigned_post(self.bucket, "evented")
        self.assertEqual(post_form(urllib.parse.urlparse(post["url"]).path, list(post["fields"].items()),
                                   b"event body").status, 204)
        self.s3.put_object(Bucket=self.bucket, Key="not-a-post", Body=b"x")
        got = records(drain(self.sqs, url))
        self.assertEqual([(r["eventName"], r["s3"]["object"]["key"]) for r in got],
                         [("ObjectCreated:Post", "evented")])


def post_form_raw(path, content_type, body):
    connection = http.client.HTTPConnection(endpoint().host, endpoint().port, timeout=30)
    try:
        connection.request("POST", path, body, {"Content-Type": content_type})
        response = connection.getresponse()
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


if __name__ == "__main__":
    unittest.main()
