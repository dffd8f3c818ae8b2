"""Bucket versioning through boto3 and both aws-clis: Put/GetBucketVersioning, version
ids on every write, delete markers, the "null" version of never-versioned and suspended
buckets, reads, deletes and copies of a given version, ListObjectVersions (order,
prefix, delimiter, markers, paging, encoding) and DeleteObjects with VersionId."""
import json
import unittest

from botocore.exceptions import ClientError

from harness import AWS_CLI_V1, AWS_CLI_V2, S3TestCase, aws_cli, interpreter_free_test, signed_request


def headers_of(response):
    return response["ResponseMetadata"]["HTTPHeaders"]


class VersionedTestCase(S3TestCase):

    def setUp(self):
        super().setUp()
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})

    def put(self, key, body):
        return self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)["VersionId"]


class VersioningConfigurationTests(S3TestCase):

    def test_new_bucket_has_no_status(self):
        response = self.s3.get_bucket_versioning(Bucket=self.bucket)
        self.assertNotIn("Status", response)

    def test_enable_then_suspend(self):
        for status in ("Enabled", "Suspended", "Enabled"):
            self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": status})
            self.assertEqual(self.s3.get_bucket_versioning(Bucket=self.bucket)["Status"], status)

    def test_mfa_delete_disabled_is_accepted(self):
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={
            "Status": "Enabled", "MFADelete": "Disabled"})
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=self.bucket)["Status"], "Enabled")

    def test_mfa_delete_enabled_without_mfa_is_denied(self):
        self.assertClientError(self.s3.put_bucket_versioning, "AccessDenied", 403, Bucket=self.bucket,
                               VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"})
        self.assertNotIn("Status", self.s3.get_bucket_versioning(Bucket=self.bucket))

    def test_bad_status_is_malformed_xml(self):
        body = b'<VersioningConfiguration><Status>On</Status></VersioningConfiguration>'
        response = signed_request("PUT", "/%s?versioning" % self.bucket, body=body,
                                  headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
        self.assertEqual(response.status, 400)
        self.assertEqual(response.error_code(), "MalformedXML")

    def test_missing_bucket(self):
        self.assertClientError(self.s3.get_bucket_versioning, "NoSuchBucket", 404, Bucket=self.bucket + "-x")


class VersionIdTests(VersionedTestCase):

    def test_each_put_gets_a_new_opaque_version_id(self):
        first, second = self.put("k", b"one"), self.put("k", b"two")
        self.assertNotEqual(first, second)
        for version in (first, second):
            self.assertEqual(len(version), 32)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read(), b"two")
        got = self.s3.get_object(Bucket=self.bucket, Key="k", VersionId=first)
        self.assertEqual(got["Body"].read(), b"one")
        self.assertEqual(got["VersionId"], first)
        head = self.s3.head_object(Bucket=self.bucket, Key="k", VersionId=second)
        self.assertEqual(head["VersionId"], second)
        self.assertEqual(head["ContentLength"], 3)

    def test_unknown_and_invalid_version_ids(self):
        self.put("k", b"x")
        self.assertClientError(self.s3.get_object, "NoSuchVersion", 404, Bucket=self.bucket, Key="k",
                               VersionId="A" * 32)
        self.assertClientError(self.s3.get_object, "InvalidArgument", 400, Bucket=self.bucket, Key="k",
                               VersionId="not-a-version")
        self.assertClientError(self.s3.delete_object, "InvalidArgument", 400, Bucket=self.bucket, Key="k",
                               VersionId="not-a-version")

    def test_multipart_upload_creates_a_version(self):
        first = self.put("big", b"old")
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key="big")
        part = self.s3.upload_part(Bucket=self.bucket, Key="big", UploadId=upload["UploadId"], PartNumber=1,
                                   Body=b"new")
        done = self.s3.complete_multipart_upload(
            Bucket=self.bucket, Key="big", UploadId=upload["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        self.assertNotEqual(done["VersionId"], first)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="big", VersionId=first)["Body"].read(), b"old")


class DeleteMarkerTests(VersionedTestCase):

    def test_delete_creates_a_delete_marker(self):
        version = self.put("k", b"data")
        deleted = self.s3.delete_object(Bucket=self.bucket, Key="k")
        self.assertTrue(deleted["DeleteMarker"])
        marker = deleted["VersionId"]
        self.assertNotEqual(marker, version)
        response = self.assertClientError(self.s3.get_object, "NoSuchKey", 404, Bucket=self.bucket, Key="k")
        self.assertEqual(headers_of(response)["x-amz-delete-marker"], "true")
        self.assertEqual(headers_of(response)["x-amz-version-id"], marker)
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="k")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k", VersionId=version)["Body"].read(), b"data")
        self.assertEqual(self.s3.list_objects_v2(Bucket=self.bucket)["KeyCount"], 0)
        self.assertNotIn("Contents", self.s3.list_objects(Bucket=self.bucket))

    def test_get_of_a_delete_marker_version_is_method_not_allowed(self):
        self.put("k", b"data")
        marker = self.s3.delete_object(Bucket=self.bucket, Key="k")["VersionId"]
        response = self.assertClientError(self.s3.get_object, "MethodNotAllowed", 405, Bucket=self.bucket,
                                          Key="k", VersionId=marker)
        self.assertEqual(headers_of(response)["x-amz-delete-marker"], "true")
        self.assertClientError(self.s3.head_object, "405", 405, Bucket=self.bucket, Key="k", VersionId=marker)

    def test_deleting_the_marker_restores_the_object(self):
        self.put("k", b"data")
        marker = self.s3.delete_object(Bucket=self.bucket, Key="k")["VersionId"]
        removed = self.s3.delete_object(Bucket=self.bucket, Key="k", VersionId=marker)
        self.assertTrue(removed["DeleteMarker"])
        self.assertEqual(removed["VersionId"], marker)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read(), b"data")

    def test_deleting_the_latest_version_promotes_the_previous(self):
        first, second = self.put("k", b"one"), self.put("k", b"two")
        removed = self.s3.delete_object(Bucket=self.bucket, Key="k", VersionId=second)
        self.assertEqual(removed["VersionId"], second)
        self.assertNotIn("DeleteMarker", removed)
        got = self.s3.get_object(Bucket=self.bucket, Key="k")
        self.assertEqual((got["Body"].read(), got["VersionId"]), (b"one", first))
        self.s3.delete_object(Bucket=self.bucket, Key="k", VersionId=first)
        self.assertNotIn("Versions", self.s3.list_object_versions(Bucket=self.bucket))

    def test_deleting_a_missing_version_succeeds(self):
        self.put("k", b"x")
        self.s3.delete_object(Bucket=self.bucket, Key="k", VersionId="B" * 32)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read(), b"x")

    def test_bucket_with_only_old_versions_is_not_empty(self):
        version = self.put("k", b"x")
        self.s3.delete_object(Bucket=self.bucket, Key="k")
        self.assertClientError(self.s3.delete_bucket, "BucketNotEmpty", 409, Bucket=self.bucket)
        self.s3.delete_object(Bucket=self.bucket, Key="k", VersionId=version)
        self.assertClientError(self.s3.delete_bucket, "BucketNotEmpty", 409, Bucket=self.bucket)

    def test_delete_objects_with_versions(self):
        first, second = self.put("a", b"1"), self.put("a", b"2")
        self.put("b", b"3")
        response = self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [
            {"Key": "a", "VersionId": first}, {"Key": "b"}]})
        deleted = {d["Key"]: d for d in response["Deleted"]}
        self.assertEqual(deleted["a"]["VersionId"], first)
        self.assertTrue(deleted["b"]["DeleteMarker"])
        self.assertEqual(len(deleted["b"]["DeleteMarkerVersionId"]), 32)
        versions = self.s3.list_object_versions(Bucket=self.bucket)
        self.assertEqual([v["VersionId"] for v in versions["Versions"] if v["Key"] == "a"], [second])
        self.assertEqual(len(versions["DeleteMarkers"]), 1)


class NullVersionTests(S3TestCase):

    def test_never_versioned_bucket_has_null_versions_and_no_header(self):
        put = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x")
        self.assertNotIn("VersionId", put)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k", VersionId="null")["Body"].read(), b"x")
        listed = self.s3.list_object_versions(Bucket=self.bucket)["Versions"]
        self.assertEqual([(v["Key"], v["VersionId"], v["IsLatest"]) for v in listed], [("k", "null", True)])
        self.assertNotIn("DeleteMarker", self.s3.delete_object(Bucket=self.bucket, Key="k"))
        self.assertNotIn("Versions", self.s3.list_object_versions(Bucket=self.bucket))

    def test_null_version_survives_enabling_and_suspended_puts_replace_it(self):
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"null-1")
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        versioned = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"v")["VersionId"]
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k", VersionId="null")["Body"].read(), b"null-1")
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Suspended"})
        self.assertEqual(self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"null-2")["VersionId"], "null")
        versions = self.s3.list_object_versions(Bucket=self.bucket)["Versions"]
        self.assertEqual([v["VersionId"] for v in versions], ["null", versioned])
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read(), b"null-2")
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"null-3")
        versions = self.s3.list_object_versions(Bucket=self.bucket)["Versions"]
        self.assertEqual([v["VersionId"] for v in versions], ["null", versioned])

    def test_suspended_delete_makes_a_null_delete_marker(self):
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        kept = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"v")["VersionId"]
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Suspended"})
        deleted = self.s3.delete_object(Bucket=self.bucket, Key="k")
        self.assertEqual((deleted["DeleteMarker"], deleted["VersionId"]), (True, "null"))
        listed = self.s3.list_object_versions(Bucket=self.bucket)
        self.assertEqual([m["VersionId"] for m in listed["DeleteMarkers"]], ["null"])
        self.assertEqual([v["VersionId"] for v in listed["Versions"]], [kept])


class CopyVersionTests(VersionedTestCase):

    def test_copy_a_given_version(self):
        first = self.put("src", b"one")
        self.put("src", b"two")
        copied = self.s3.copy_object(Bucket=self.bucket, Key="dst",
                                     CopySource={"Bucket": self.bucket, "Key": "src", "VersionId": first})
        self.assertEqual(copied["CopySourceVersionId"], first)
        self.assertEqual(len(copied["VersionId"]), 32)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="dst")["Body"].read(), b"one")

    def test_restore_an_old_version_onto_its_own_key(self):
        first = self.put("k", b"one")
        self.put("k", b"two")
        self.s3.copy_object(Bucket=self.bucket, Key="k",
                            CopySource={"Bucket": self.bucket, "Key": "k", "VersionId": first})
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read(), b"one")
        self.assertEqual(len(self.s3.list_object_versions(Bucket=self.bucket)["Versions"]), 3)

    def test_copy_errors(self):
        self.put("k", b"one")
        marker = self.s3.delete_object(Bucket=self.bucket, Key="k")["VersionId"]
        self.assertClientError(self.s3.copy_object, "NoSuchKey", 404, Bucket=self.bucket, Key="d",
                               CopySource={"Bucket": self.bucket, "Key": "k"})
        self.assertClientError(self.s3.copy_object, "InvalidRequest", 400, Bucket=self.bucket, Key="d",
                               CopySource={"Bucket": self.bucket, "Key": "k", "VersionId": marker})
        self.assertClientError(self.s3.copy_object, "NoSuchVersion", 404, Bucket=self.bucket, Key="d",
                               CopySource={"Bucket": self.bucket, "Key": "k", "VersionId": "C" * 32})
        self.assertClientError(self.s3.copy_object, "InvalidArgument", 400, Bucket=self.bucket, Key="d",
                               CopySource={"Bucket": self.bucket, "Key": "k", "VersionId": "bogus"})


class ListObjectVersionsTests(VersionedTestCase):

    def setUp(self):
        super().setUp()
        self.ids = {}
        for key in ("a", "b/1", "b/2", "c"):
            self.ids[key] = [self.put(key, b"1"), self.put(key, b"2")]
        self.marker = self.s3.delete_object(Bucket=self.bucket, Key="c")["VersionId"]

    def entries(self, **params):
        response = self.s3.list_object_versions(Bucket=self.bucket, **params)
        items = response.get("Versions", []) + response.get("DeleteMarkers", [])
        return response, items

    def test_key_order_newest_first_with_is_latest(self):
        response = self.s3.list_object_versions(Bucket=self.bucket)
        versions = [(v["Key"], v["VersionId"], v["IsLatest"]) for v in response["Versions"]]
        expected = []
        for key in ("a", "b/1", "b/2", "c"):
            newest, oldest = self.ids[key][1], self.ids[key][0]
            expected += [(key, newest, key != "c"), (key, oldest, False)]
        self.assertEqual(versions, expected)
        self.assertEqual([(m["Key"], m["VersionId"], m["IsLatest"]) for m in response["DeleteMarkers"]],
                         [("c", self.marker, True)])
        self.assertEqual(response["Versions"][0]["Size"], 1)
        self.assertIn("ETag", response["Versions"][0])

    def test_prefix_and_delimiter(self):
        response, items = self.entries(Prefix="b/")
        self.assertEqual({i["Key"] for i in items}, {"b/1", "b/2"})
        response, items = self.entries(Delimiter="/")
        self.assertEqual([p["Prefix"] for p in response["CommonPrefixes"]], ["b/"])
        self.assertEqual({i["Key"] for i in items}, {"a", "c"})

    def test_paging_with_markers_returns_everything_once(self):
        seen = []
        params = {"MaxKeys": 3}
        while True:
            response, items = self.entries(**params)
            self.assertLessEqual(len(items), 3)
            seen += [(i["Key"], i["VersionId"]) for i in items]
            if not response["IsTruncated"]:
                break
            params = {"MaxKeys": 3, "KeyMarker": response["NextKeyMarker"],
                      "VersionIdMarker": response["NextVersionIdMarker"]}
        self.assertEqual(len(seen), 9)
        self.assertEqual(len(set(seen)), 9)

    def test_key_marker_alone_starts_after_the_key(self):
        response, items = self.entries(KeyMarker="b/1")
        self.assertEqual({i["Key"] for i in items}, {"b/2", "c"})

    def test_version_id_marker_needs_a_key_marker(self):
        self.assertClientError(self.s3.list_object_versions, "InvalidArgument", 400, Bucket=self.bucket,
                               VersionIdMarker=self.ids["a"][0])

    def test_encoding_type_url(self):
        self.put("sp ace", b"x")
        response = self.s3.list_object_versions(Bucket=self.bucket, Prefix="sp", EncodingType="url")
        self.assertEqual(response["EncodingType"], "url")
        self.assertEqual(response["Versions"][0]["Key"], "sp%20ace")


@interpreter_free_test
class CliVersioningTests(S3TestCase):

    def test_versioning_with_both_clis(self):
        for binary in (AWS_CLI_V1, AWS_CLI_V2):
            with self.subTest(binary=binary):
                bucket = self.new_bucket("cli-ver")
                done = aws_cli(binary, "s3api", "put-bucket-versioning", "--bucket", bucket,
                               "--versioning-configuration", "Status=Enabled")
                self.assertEqual(done.returncode, 0, done.stderr)
                got = aws_cli(binary, "s3api", "get-bucket-versioning", "--bucket", bucket)
                self.assertEqual(json.loads(got.stdout)["Status"], "Enabled")
                self.s3.put_object(Bucket=bucket, Key="k", Body=b"1")
                self.s3.put_object(Bucket=bucket, Key="k", Body=b"2")
                listed = aws_cli(binary, "s3api", "list-object-versions", "--bucket", bucket)
                self.assertEqual(listed.returncode, 0, listed.stderr)
                versions = json.loads(listed.stdout)["Versions"]
                self.assertEqual(len(versions), 2)
                removed = aws_cli(binary, "s3api", "delete-object", "--bucket", bucket, "--key", "k",
                                  "--version-id", versions[1]["VersionId"])
                self.assertEqual(removed.returncode, 0, removed.stderr)
                self.assertEqual(len(self.s3.list_object_versions(Bucket=bucket)["Versions"]), 1)


if __name__ == "__main__":
    unittest.main()
