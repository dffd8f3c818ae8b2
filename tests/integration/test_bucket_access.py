"""Bucket configuration that runs: anonymous access through a public policy or a
public-read ACL (GET and HEAD only, and only until the public access block forbids
it), other accounts through a bucket policy, explicit Deny, the website endpoint
(index and error documents), bucket policy Conditions, and the lifecycle sweep
expiring objects.

The cross-account and lifecycle tests start a server of their own (another access
key; a one-second sweep with CLOUDLESS_LIFECYCLE_DAY_SECONDS=1 so that `Days: 1`
means one second), so they need CLOUDLESS_BIN.
"""
import json
import time
import unittest

from botocore.exceptions import ClientError

from harness import S3TestCase, raw_request
from server import OwnServer
from test_bucket_config import allow_acls, policy_for

OTHER_ACCESS_KEY = "otherkey"
OTHER_SECRET = "othersecret"
OTHER_ACCOUNT = "111122223333"


def anonymous(method, path, headers=None):
    return raw_request(method, path, headers or {})


class AnonymousAccessTests(S3TestCase):
    def setUp(self):
        super().setUp()
        self.s3.put_object(Bucket=self.bucket, Key="public/page.html", Body=b"hello")
        self.s3.put_object(Bucket=self.bucket, Key="private/secret.txt", Body=b"secret")

    def path(self, key=""):
        return "/%s/%s" % (self.bucket, key) if key else "/%s" % self.bucket

    def test_private_bucket_refuses_anonymous_callers(self):
        for method, key in [("GET", "public/page.html"), ("HEAD", "public/page.html"), ("GET", ""),
                            ("PUT", "new"), ("DELETE", "public/page.html")]:
            with self.subTest(method=method, key=key):
                response = anonymous(method, self.path(key))
                self.assertEqual(response.status, 403)
                if method != "HEAD":
                    self.assertEqual(response.error_code(), "AccessDenied")

    def test_public_read_policy_allows_get_and_head_only(self):
        self.s3.delete_public_access_block(Bucket=self.bucket)
        self.s3.put_bucket_policy(Bucket=self.bucket, Policy=policy_for(self.bucket, "*", resource_suffix="/public/*"))
        response = anonymous("GET", self.path("public/page.html"))
        self.assertEqual((response.status, response.body), (200, b"hello"))
        self.assertEqual(anonymous("HEAD", self.path("public/page.html")).status, 200)
        self.assertEqual(anonymous("GET", self.path("private/secret.txt")).status, 403)
        self.assertEqual(anonymous("GET", self.path()).status, 403)
        self.assertEqual(anonymous("PUT", self.path("public/new")).status, 403)
        self.assertEqual(anonymous("DELETE", self.path("public/page.html")).status, 403)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="public/page.html")["Body"].read(), b"hello")

    def test_list_bucket_policy_allows_listing(self):
        self.s3.delete_public_access_block(Bucket=self.bucket)
        self.s3.put_bucket_policy(Bucket=self.bucket,
                                  Policy=policy_for(self.bucket, "*", action="s3:ListBucket", resource_suffix=""))
        response = anonymous("GET", self.path() + "?list-type=2")
        self.assertEqual(response.status, 200)
        self.assertIn(b"public/page.html", response.body)
        self.assertEqual(anonymous("GET", self.path("public/page.html")).status, 403)

    def test_restrict_public_buckets_overrides_a_public_policy(self):
        self.s3.delete_public_access_block(Bucket=self.bucket)
        self.s3.put_bucket_policy(Bucket=self.bucket, Policy=policy_for(self.bucket, "*"))
        self.assertEqual(anonymous("GET", self.path("public/page.html")).status, 200)
        self.s3.put_public_access_block(Bucket=self.bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
            "RestrictPublicBuckets": True})
        self.assertEqual(anonymous("GET", self.path("public/page.html")).status, 403)

    def test_public_read_object_acl(self):
        allow_acls(self.s3, self.bucket)
        self.s3.put_object_acl(Bucket=self.bucket, Key="public/page.html", ACL="public-read")
        self.assertEqual(anonymous("GET", self.path("public/page.html")).body, b"hello")
        self.assertEqual(anonymous("GET", self.path("private/secret.txt")).status, 403)
        self.assertEqual(anonymous("GET", self.path()).status, 403)
        self.s3.put_public_access_block(Bucket=self.bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": False, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False})
        self.assertEqual(anonymous("GET", self.path("public/page.html")).status, 403)

    def test_public_read_bucket_acl_allows_listing(self):
        allow_acls(self.s3, self.bucket)
        self.s3.put_bucket_acl(Bucket=self.bucket, ACL="public-read")
        response = anonymous("GET", self.path())
        self.assertEqual(response.status, 200)
        self.assertIn(b"private/secret.txt", response.body)
        self.assertEqual(anonymous("GET", self.path("private/secret.txt")).status, 403)

    def test_explicit_deny_applies_to_the_owner(self):
        self.s3.put_bucket_policy(Bucket=self.bucket, Policy=policy_for(
            self.bucket, {"AWS": "arn:aws:iam::000000000000:root"}, action="s3:DeleteObject", effect="Deny"))
        self.assertClientError(self.s3.delete_object, "AccessDenied", 403, Bucket=self.bucket, Key="public/page.html")
        self.s3.get_object(Bucket=self.bucket, Key="public/page.html")
        self.s3.delete_bucket_policy(Bucket=self.bucket)
        self.s3.delete_object(Bucket=self.bucket, Key="public/page.html")

    def conditional_policy(self, condition, **kwargs):
        policy = json.loads(policy_for(self.bucket, kwargs.pop("principal", "*"), **kwargs))
        policy["Statement"][0]["Condition"] = condition
        self.s3.put_bucket_policy(Bucket=self.bucket, Policy=json.dumps(policy))

    def test_source_ip_condition(self):
        self.s3.delete_public_access_block(Bucket=self.bucket)
        self.conditional_policy({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.0/8"]}})
        self.assertEqual(anonymous("GET", self.path("public/page.html")).status, 200)
        self.conditional_policy({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
        self.assertEqual(anonymous("GET", self.path("public/page.html")).status, 403)
        self.conditional_policy({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
        self.assertEqual(anonymous("GET", self.path("public/page.html")).status, 200)

    def test_prefix_condition_on_listing(self):
        self.s3.delete_public_access_block(Bucket=self.bucket)
        self.conditional_policy({"StringEquals": {"s3:prefix": "public/"}}, action="s3:ListBucket", resource_suffix="")
        response = anonymous("GET", self.path() + "?list-type=2&prefix=public%2F")
        self.assertEqual(response.status, 200)
        self.assertIn(b"public/page.html", response.body)
        self.assertEqual(anonymous("GET", self.path() + "?list-type=2").status, 403)
        self.assertEqual(anonymous("GET", self.path() + "?list-type=2&prefix=private%2F").status, 403)

    def test_deny_over_plain_http_applies_to_the_owner(self):
        self.conditional_policy({"Bool": {"aws:SecureTransport": "false"}}, action="s3:*", effect="Deny")
        self.assertClientError(self.s3.get_object, "AccessDenied", 403, Bucket=self.bucket, Key="public/page.html")
        self.s3.delete_bucket_policy(Bucket=self.bucket)
        self.s3.get_object(Bucket=self.bucket, Key="public/page.html")

    def test_deny_uploads_without_encryption_header(self):
        self.conditional_policy({"Null": {"s3:x-amz-server-side-encryption": "true"}}, action="s3:PutObject",
                                effect="Deny")
        self.assertClientError(self.s3.put_object, "AccessDenied", 403, Bucket=self.bucket, Key="plain", Body=b"x")
        self.s3.put_object(Bucket=self.bucket, Key="sealed", Body=b"x", ServerSideEncryption="AES256")
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="plain")

    def test_object_tag_conditions(self):
        self.s3.delete_public_access_block(Bucket=self.bucket)
        self.s3.put_object_tagging(Bucket=self.bucket, Key="public/page.html",
                                   Tagging={"TagSet": [{"Key": "visibility", "Value": "public"}]})
        self.conditional_policy({"StringEquals": {"s3:ExistingObjectTag/visibility": "public"}})
        self.assertEqual(anonymous("GET", self.path("public/page.html")).status, 200)
        self.assertEqual(anonymous("GET", self.path("private/secret.txt")).status, 403)
        self.conditional_policy({"Null": {"s3:RequestObjectTag/team": "true"}}, action="s3:PutObject", effect="Deny")
        self.assertClientError(self.s3.put_object, "AccessDenied", 403, Bucket=self.bucket, Key="untagged", Body=b"x")
        self.s3.put_object(Bucket=self.bucket, Key="tagged", Body=b"x", Tagging="team=web")

    def test_condition_checks_when_stored(self):
        policy = json.loads(policy_for(self.bucket, "*"))
        policy["Statement"][0]["Condition"] = {"StringEqualz": {"s3:prefix": "a"}}
        self.assertClientError(self.s3.put_bucket_policy, "MalformedPolicy", 400, Bucket=self.bucket,
                               Policy=json.dumps(policy))
        # Limited to fixed sources, a policy for "*" is not public: BlockPublicPolicy lets it in.
        self.conditional_policy({"IpAddress": {"aws:SourceIp": "10.1.0.0/16"}})
        policy["Statement"][0]["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
        self.assertClientError(self.s3.put_bucket_policy, "AccessDenied", 403, Bucket=self.bucket,
                               Policy=json.dumps(policy))


class WebsiteTests(S3TestCase):
    def website_get(self, path, host_style="%s.s3-website.localhost"):
        return anonymous("GET", path, {"Host": (host_style % self.bucket) + ":%d" % self.endpoint.port})

    def publish(self):
        self.s3.put_object(Bucket=self.bucket, Key="index.html", Body=b"<h1>home</h1>", ContentType="text/html")
        self.s3.put_object(Bucket=self.bucket, Key="docs/index.html", Body=b"<h1>docs</h1>")
        self.s3.put_object(Bucket=self.bucket, Key="404.html", Body=b"<h1>missing</h1>")
        self.s3.put_bucket_website(Bucket=self.bucket, WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "404.html"}})

    def test_serves_index_and_error_documents(self):
        self.publish()
        self.s3.delete_public_access_block(Bucket=self.bucket)
        self.s3.put_bucket_policy(Bucket=self.bucket, Policy=policy_for(self.bucket, "*"))
        response = self.website_get("/")
        self.assertEqual((response.status, response.body), (200, b"<h1>home</h1>"))
        self.assertEqual(response.headers["content-type"], "text/html")
        response = self.website_get("/docs/", "%s.s3-website-us-east-1.localhost")
        self.assertEqual((response.status, response.body), (200, b"<h1>docs</h1>"))
        response = self.website_get("/nothing-here", "%s.s3-website.us-east-1.localhost")
        self.assertEqual((response.status, response.body), (404, b"<h1>missing</h1>"))

    def test_private_website_is_forbidden(self):
        self.publish()
        response = self.website_get("/")
        self.assertEqual(response.status, 403)
        self.assertIn(b"AccessDenied", response.body)

    def test_bucket_without_website(self):
        response = self.website_get("/")
        self.assertEqual(response.status, 404)
        self.assertIn(b"NoSuchWebsiteConfiguration", response.body)

    def test_routing_rules(self):
        self.publish()
        self.s3.delete_public_access_block(Bucket=self.bucket)
        self.s3.put_bucket_policy(Bucket=self.bucket, Policy=policy_for(self.bucket, "*", resource_suffix="/docs/*"))
        self.s3.put_bucket_website(Bucket=self.bucket, WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "404.html"},
            "RoutingRules": [
                {"Condition": {"KeyPrefixEquals": "old-docs/"}, "Redirect": {"ReplaceKeyPrefixWith": "docs/"}},
                {"Condition": {"HttpErrorCodeReturnedEquals": "404", "KeyPrefixEquals": "docs/"},
                 "Redirect": {"HostName": "example.com", "Protocol": "https", "ReplaceKeyWith": "missing.html",
                              "HttpRedirectCode": "302"}},
                {"Condition": {"HttpErrorCodeReturnedEquals": "403"}, "Redirect": {"ReplaceKeyWith": "docs/"}}]})
        host = "%s.s3-website.localhost:%d" % (self.bucket, self.endpoint.port)
        response = self.website_get("/old-docs/guide.html")
        self.assertEqual((response.status, response.headers["location"]), (301, "http://%s/docs/guide.html" % host))
        response = self.website_get("/docs/nothing.html")
        self.assertEqual((response.status, response.headers["location"]), (302, "https://example.com/missing.html"))
        response = self.website_get("/index.html")
        self.assertEqual((response.status, response.headers["location"]), (301, "http://%s/docs/" % host))
        response = self.website_get("/docs/")
        self.assertEqual((response.status, response.body), (200, b"<h1>docs</h1>"))
        self.assertClientError(self.s3.put_bucket_website, "InvalidRequest", 400, Bucket=self.bucket,
                               WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}, "RoutingRules": [
                                   {"Redirect": {"ReplaceKeyPrefixWith": "a/", "ReplaceKeyWith": "b"}}]})

    def test_redirect_all_requests(self):
        self.s3.put_bucket_website(Bucket=self.bucket, WebsiteConfiguration={
            "RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "https"}})
        response = self.website_get("/a/b")
        self.assertEqual((response.status, response.headers["location"]), (301, "https://example.com/a/b"))


class CrossAccountTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = OwnServer("cloudless-it-cross-", env={
            "CLOUDLESS_ACCESS_KEYS": "%s:%s:%s" % (OTHER_ACCESS_KEY, OTHER_SECRET, OTHER_ACCOUNT)})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.owner = self.server.client()
        self.other = self.server.client("s3", OTHER_ACCESS_KEY, OTHER_SECRET)
        self.bucket = "cross-%d" % int(time.time() * 1000000)
        self.owner.create_bucket(Bucket=self.bucket)
        self.owner.put_object(Bucket=self.bucket, Key="shared.txt", Body=b"shared")

    def error_code(self, call, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(**kwargs)
        return caught.exception.response["Error"]["Code"]

    def test_other_account_is_denied_without_a_policy(self):
        self.assertEqual(self.error_code(self.other.get_object, Bucket=self.bucket, Key="shared.txt"), "AccessDenied")
        self.assertEqual(self.error_code(self.other.list_objects_v2, Bucket=self.bucket), "AccessDenied")

    def test_policy_grants_another_account(self):
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER_ACCOUNT},
             "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::%s/*" % self.bucket},
            {"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::%s" % self.bucket}]}
        self.owner.put_bucket_policy(Bucket=self.bucket, Policy=json.dumps(policy))
        self.assertEqual(self.other.get_object(Bucket=self.bucket, Key="shared.txt")["Body"].read(), b"shared")
        self.other.put_object(Bucket=self.bucket, Key="from-other.txt", Body=b"hi")
        keys = [o["Key"] for o in self.other.list_objects_v2(Bucket=self.bucket)["Contents"]]
        self.assertEqual(keys, ["from-other.txt", "shared.txt"])
        self.assertEqual(self.error_code(self.other.delete_object, Bucket=self.bucket, Key="shared.txt"),
                         "AccessDenied")
        self.assertEqual(self.error_code(self.other.get_bucket_policy, Bucket=self.bucket), "AccessDenied")

    def test_deny_beats_allow(self):
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "s3:*",
             "Resource": ["arn:aws:s3:::%s" % self.bucket, "arn:aws:s3:::%s/*" % self.bucket]},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::%s/shared.*" % self.bucket}]}
        self.owner.put_bucket_policy(Bucket=self.bucket, Policy=json.dumps(policy))
        self.assertEqual(self.error_code(self.other.get_object, Bucket=self.bucket, Key="shared.txt"), "AccessDenied")
        self.other.put_object(Bucket=self.bucket, Key="x", Body=b"x")


class LifecycleExpirationTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = OwnServer("cloudless-it-lifecycle-", ["--lifecycle-interval", "1"],
                               env={"CLOUDLESS_LIFECYCLE_DAY_SECONDS": "1"})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def keys(self, s3, bucket):
        return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))

    def test_expiration_by_days_with_a_prefix(self):
        s3 = self.server.client()
        s3.create_bucket(Bucket="expiring")
        for key in ("tmp/a", "tmp/b", "keep/c"):
            s3.put_object(Bucket="expiring", Key=key, Body=b"x")
        s3.put_bucket_lifecycle_configuration(Bucket="expiring", LifecycleConfiguration={"Rules": [
            {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 2}},
            {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": "keep/"}, "Expiration": {"Days": 1}}]})
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self.keys(s3, "expiring") != ["keep/c"]:
            time.sleep(0.25)
        self.assertEqual(self.keys(s3, "expiring"), ["keep/c"])

    def test_expiration_filtered_by_tags_and_size(self):
        s3 = self.server.client()
        s3.create_bucket(Bucket="filtered")
        s3.put_object(Bucket="filtered", Key="logs/small-temp", Body=b"x" * 10, Tagging="kind=temp")
        s3.put_object(Bucket="filtered", Key="logs/big-temp", Body=b"x" * 200, Tagging="kind=temp")
        s3.put_object(Bucket="filtered", Key="logs/small-keep", Body=b"x" * 10, Tagging="kind=keep")
        s3.put_object(Bucket="filtered", Key="other/small-temp", Body=b"x" * 10, Tagging="kind=temp")
        s3.put_bucket_lifecycle_configuration(Bucket="filtered", LifecycleConfiguration={"Rules": [
            {"ID": "temp", "Status": "Enabled", "Expiration": {"Days": 1}, "Filter": {"And": {
                "Prefix": "logs/", "Tags": [{"Key": "kind", "Value": "temp"}], "ObjectSizeLessThan": 100}}}]})
        deadline = time.monotonic() + 15
        expected = ["logs/big-temp", "logs/small-keep", "other/small-temp"]
        while time.monotonic() < deadline and self.keys(s3, "filtered") != expected:
            time.sleep(0.25)
        self.assertEqual(self.keys(s3, "filtered"), expected)

    def versions(self, s3, bucket):
        listing = s3.list_object_versions(Bucket=bucket)
        return sorted([(v["Key"], v["VersionId"]) for v in listing.get("Versions", [])] +
                      [(m["Key"], m["VersionId"]) for m in listing.get("DeleteMarkers", [])])

    def wait_for_versions(self, s3, bucket, expected):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self.versions(s3, bucket) != sorted(expected):
            time.sleep(0.25)
        self.assertEqual(self.versions(s3, bucket), sorted(expected))

    def test_noncurrent_versions_expire_beyond_the_newest_kept(self):
        s3 = self.server.client()
        s3.create_bucket(Bucket="history")
        s3.put_bucket_versioning(Bucket="history", VersioningConfiguration={"Status": "Enabled"})
        ids = [s3.put_object(Bucket="history", Key="doc", Body=str(i).encode())["VersionId"] for i in range(3)]
        s3.put_bucket_lifecycle_configuration(Bucket="history", LifecycleConfiguration={"Rules": [
            {"ID": "history", "Status": "Enabled", "Filter": {},
             "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1}}]})
        self.wait_for_versions(s3, "history", [("doc", ids[2]), ("doc", ids[1])])
        self.assertEqual(s3.get_object(Bucket="history", Key="doc")["Body"].read(), b"2")

    def test_lone_delete_markers_expire(self):
        s3 = self.server.client()
        s3.create_bucket(Bucket="markers")
        s3.put_bucket_versioning(Bucket="markers", VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket="markers", Key="gone", Body=b"x")
        s3.delete_object(Bucket="markers", Key="gone")
        kept = s3.put_object(Bucket="markers", Key="kept", Body=b"x")["VersionId"]
        s3.put_bucket_lifecycle_configuration(Bucket="markers", LifecycleConfiguration={"Rules": [
            {"ID": "tidy", "Status": "Enabled", "Filter": {"Prefix": ""},
             "Expiration": {"ExpiredObjectDeleteMarker": True}, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
        self.wait_for_versions(s3, "markers", [("kept", kept)])

    def test_abort_incomplete_multipart_upload(self):
        s3 = self.server.client()
        s3.create_bucket(Bucket="uploads")
        stale = s3.create_multipart_upload(Bucket="uploads", Key="tmp/stale")["UploadId"]
        s3.upload_part(Bucket="uploads", Key="tmp/stale", UploadId=stale, PartNumber=1, Body=b"part")
        elsewhere = s3.create_multipart_upload(Bucket="uploads", Key="keep/big")["UploadId"]
        s3.put_bucket_lifecycle_configuration(Bucket="uploads", LifecycleConfiguration={"Rules": [
            {"ID": "abort", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
             "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]})
        deadline = time.monotonic() + 15
        def open_uploads():
            return sorted(u["UploadId"] for u in s3.list_multipart_uploads(Bucket="uploads").get("Uploads", []))
        while time.monotonic() < deadline and open_uploads() != [elsewhere]:
            time.sleep(0.25)
        self.assertEqual(open_uploads(), [elsewhere])
        with self.assertRaises(ClientError) as caught:
            s3.list_parts(Bucket="uploads", Key="tmp/stale", UploadId=stale)
        self.assertEqual(caught.exception.response["Error"]["Code"], "NoSuchUpload")

    def test_expiration_by_date(self):
        s3 = self.server.client()
        s3.create_bucket(Bucket="dated")
        s3.put_object(Bucket="dated", Key="old", Body=b"x")
        s3.put_bucket_lifecycle_configuration(Bucket="dated", LifecycleConfiguration={"Rules": [
            {"ID": "past", "Status": "Enabled", "Filter": {}, "Expiration": {"Date": "2020-01-01T00:00:00Z"}}]})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.keys(s3, "dated"):
            time.sleep(0.25)
        self.assertEqual(self.keys(s3, "dated"), [])


if __name__ == "__main__":
    unittest.main()
