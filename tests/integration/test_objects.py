"""Object operations through boto3: put/get/head with headers and metadata, integrity
(Content-MD5), conditional writes (PutObject, CopyObject, CompleteMultipartUpload with
If-None-Match: * and If-Match, the 409 of a write whose object was deleted meanwhile,
DeleteObject with If-Match; also through aws-cli v1) and reads, ranges, response
overrides, delete, multi-object delete and copy. Conditional headers are injected as raw
headers so the same tests run on boto3 versions that predate the IfMatch/IfNoneMatch
parameters."""
import base64
import datetime
import hashlib
import json
import socket
import unittest

from harness import AWS_CLI_V1, S3TestCase, add_request_headers, aws_cli, endpoint, quoted_md5, s3_client
from test_http import read_response, signed_headers_for

EMPTY_MD5_ETAG = '"d41d8cd98f00b204e9800998ecf8427e"'


class PutGetTests(S3TestCase):

    def test_put_returns_md5_etag_and_get_round_trips(self):
        body = bytes(range(256)) * 4096
        response = self.s3.put_object(Bucket=self.bucket, Key="blob", Body=body)
        self.assertEqual(response["ETag"], quoted_md5(body))
        got = self.s3.get_object(Bucket=self.bucket, Key="blob")
        self.assertEqual(got["Body"].read(), body)
        self.assertEqual(got["ETag"], quoted_md5(body))
        self.assertEqual(got["ContentLength"], len(body))

    def test_empty_object(self):
        self.assertEqual(self.s3.put_object(Bucket=self.bucket, Key="empty", Body=b"")["ETag"], EMPTY_MD5_ETAG)
        got = self.s3.get_object(Bucket=self.bucket, Key="empty")
        self.assertEqual(got["Body"].read(), b"")
        self.assertEqual(got["ContentLength"], 0)

    def test_headers_and_user_metadata_round_trip(self):
        self.s3.put_object(Bucket=self.bucket, Key="doc.json.gz", Body=b"{}",
                           ContentType="application/json", ContentEncoding="gzip",
                           ContentDisposition='attachment; filename="doc.json.gz"',
                           CacheControl="max-age=60", ContentLanguage="en",
                           Metadata={"colour": "blue", "mixed-case": "Value With Spaces"})
        for response in (self.s3.head_object(Bucket=self.bucket, Key="doc.json.gz"),
                         self.s3.get_object(Bucket=self.bucket, Key="doc.json.gz")):
            self.assertEqual(response["ContentType"], "application/json")
            self.assertEqual(response["ContentEncoding"], "gzip")
            self.assertEqual(response["ContentDisposition"], 'attachment; filename="doc.json.gz"')
            self.assertEqual(response["CacheControl"], "max-age=60")
            self.assertEqual(response["ContentLanguage"], "en")
            self.assertEqual(response["Metadata"], {"colour": "blue", "mixed-case": "Value With Spaces"})
            self.assertEqual(response["ContentLength"], 2)

    def test_default_content_type_is_binary(self):
        self.s3.put_object(Bucket=self.bucket, Key="plain", Body=b"abc")
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="plain")["ContentType"],
                         "binary/octet-stream")

    def test_overwrite_replaces_content_and_metadata(self):
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"one", Metadata={"v": "1"})
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"second")
        got = self.s3.get_object(Bucket=self.bucket, Key="k")
        self.assertEqual(got["Body"].read(), b"second")
        self.assertEqual(got["Metadata"], {})

    def test_correct_content_md5_is_accepted(self):
        body = b"checked body"
        digest = base64.b64encode(hashlib.md5(body).digest()).decode()
        self.assertEqual(self.s3.put_object(Bucket=self.bucket, Key="ok", Body=body, ContentMD5=digest)["ETag"],
                         quoted_md5(body))

    def test_wrong_content_md5_is_bad_digest_and_stores_nothing(self):
        digest = base64.b64encode(hashlib.md5(b"something else").digest()).decode()
        self.assertClientError(self.s3.put_object, "BadDigest", 400,
                               Bucket=self.bucket, Key="bad", Body=b"actual body", ContentMD5=digest)
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="bad")

    def test_get_and_head_missing_key(self):
        self.assertClientError(self.s3.get_object, "NoSuchKey", 404, Bucket=self.bucket, Key="nope")
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="nope")


class ConditionalWriteTests(S3TestCase):

    def test_if_none_match_star_refuses_existing_key(self):
        guarded = s3_client()
        add_request_headers(guarded, "PutObject", {"If-None-Match": "*"})
        guarded.put_object(Bucket=self.bucket, Key="once", Body=b"first")
        self.assertClientError(guarded.put_object, "PreconditionFailed", 412,
                               Bucket=self.bucket, Key="once", Body=b"second")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="once")["Body"].read(), b"first")

    def test_if_match_put(self):
        etag = self.s3.put_object(Bucket=self.bucket, Key="cas", Body=b"v1")["ETag"]
        stale = s3_client()
        add_request_headers(stale, "PutObject", {"If-Match": quoted_md5(b"not v1")})
        self.assertClientError(stale.put_object, "PreconditionFailed", 412, Bucket=self.bucket, Key="cas", Body=b"x")
        fresh = s3_client()
        add_request_headers(fresh, "PutObject", {"If-Match": etag})
        fresh.put_object(Bucket=self.bucket, Key="cas", Body=b"v2")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="cas")["Body"].read(), b"v2")


    def conditional(self, operation, headers):
        client = s3_client()
        add_request_headers(client, operation, headers)
        return client

    def test_if_none_match_other_than_star_is_not_implemented(self):
        client = self.conditional("PutObject", {"If-None-Match": quoted_md5(b"x")})
        self.assertClientError(client.put_object, "NotImplemented", 501, Bucket=self.bucket, Key="k", Body=b"x")

    def test_if_match_on_a_missing_key_is_no_such_key(self):
        client = self.conditional("PutObject", {"If-Match": quoted_md5(b"x")})
        self.assertClientError(client.put_object, "NoSuchKey", 404, Bucket=self.bucket, Key="absent", Body=b"x")

    def test_conditional_copy(self):
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=b"source")
        dst_etag = self.s3.put_object(Bucket=self.bucket, Key="dst", Body=b"old")["ETag"]
        source = {"Bucket": self.bucket, "Key": "src"}
        guarded = self.conditional("CopyObject", {"If-None-Match": "*"})
        self.assertClientError(guarded.copy_object, "PreconditionFailed", 412, Bucket=self.bucket, Key="dst",
                               CopySource=source)
        guarded.copy_object(Bucket=self.bucket, Key="new", CopySource=source)
        stale = self.conditional("CopyObject", {"If-Match": quoted_md5(b"other")})
        self.assertClientError(stale.copy_object, "PreconditionFailed", 412, Bucket=self.bucket, Key="dst",
                               CopySource=source)
        self.conditional("CopyObject", {"If-Match": dst_etag}).copy_object(Bucket=self.bucket, Key="dst",
                                                                          CopySource=source)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="dst")["Body"].read(), b"source")

    def multipart(self, key):
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
        etag = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
        return upload, {"Parts": [{"PartNumber": 1, "ETag": etag}]}

    def test_conditional_complete_multipart_upload(self):
        self.s3.put_object(Bucket=self.bucket, Key="taken", Body=b"v1")
        upload, parts = self.multipart("taken")
        guarded = self.conditional("CompleteMultipartUpload", {"If-None-Match": "*"})
        self.assertClientError(guarded.complete_multipart_upload, "PreconditionFailed", 412, Bucket=self.bucket,
                               Key="taken", UploadId=upload, MultipartUpload=parts)
        stale = self.conditional("CompleteMultipartUpload", {"If-Match": quoted_md5(b"v0")})
        self.assertClientError(stale.complete_multipart_upload, "PreconditionFailed", 412, Bucket=self.bucket,
                               Key="taken", UploadId=upload, MultipartUpload=parts)
        fresh = self.conditional("CompleteMultipartUpload", {"If-Match": quoted_md5(b"v1")})
        fresh.complete_multipart_upload(Bucket=self.bucket, Key="taken", UploadId=upload, MultipartUpload=parts)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="taken")["Body"].read(), b"part")
        upload, parts = self.multipart("free")
        guarded.complete_multipart_upload(Bucket=self.bucket, Key="free", UploadId=upload, MultipartUpload=parts)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="free")["Body"].read(), b"part")

    def test_object_deleted_during_a_multipart_upload_is_a_conflict(self):
        """AWS: a delete that succeeds while a conditional write is in progress makes
        it a 409 ConditionalRequestConflict; for a multipart upload, the upload must be
        made again."""
        self.s3.put_object(Bucket=self.bucket, Key="moving", Body=b"v1")
        upload, parts = self.multipart("moving")
        self.s3.delete_object(Bucket=self.bucket, Key="moving")
        for headers in ({"If-None-Match": "*"}, {"If-Match": quoted_md5(b"v1")}):
            with self.subTest(headers=headers):
                client = self.conditional("CompleteMultipartUpload", headers)
                self.assertClientError(client.complete_multipart_upload, "ConditionalRequestConflict", 409,
                                       Bucket=self.bucket, Key="moving", UploadId=upload, MultipartUpload=parts)

    def test_object_deleted_while_a_put_streams_is_a_conflict(self):
        etag = self.s3.put_object(Bucket=self.bucket, Key="racy", Body=b"v1")["ETag"]
        body = b"v2" * 1000
        url = "%s/%s/racy" % (endpoint().url, self.bucket)
        headers = signed_headers_for(url, "PUT", body, {"x-amz-content-sha256": "UNSIGNED-PAYLOAD", "If-Match": etag})
        with socket.create_connection((endpoint().host, endpoint().port), timeout=10) as sock:
            head = "PUT /%s/racy HTTP/1.1\r\n" % self.bucket
            head += "".join("%s: %s\r\n" % kv for kv in headers.items())
            head += "Content-Length: %d\r\n\r\n" % len(body)
            sock.sendall(head.encode() + body[:100])
            self.s3.head_object(Bucket=self.bucket, Key="racy")   # the server has taken the head in by now
            self.s3.delete_object(Bucket=self.bucket, Key="racy")
            sock.sendall(body[100:])
            status, _, answer, _ = read_response(sock)
        self.assertEqual(status, 409, answer)
        self.assertIn(b"<Code>ConditionalRequestConflict</Code>", answer)
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="racy")

    def test_conditional_delete(self):
        etag = self.s3.put_object(Bucket=self.bucket, Key="del", Body=b"v1")["ETag"]
        stale = self.conditional("DeleteObject", {"If-Match": quoted_md5(b"v0")})
        self.assertClientError(stale.delete_object, "PreconditionFailed", 412, Bucket=self.bucket, Key="del")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="del")["Body"].read(), b"v1")
        response = self.conditional("DeleteObject", {"If-Match": etag}).delete_object(Bucket=self.bucket, Key="del")
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 204)
        anything = self.conditional("DeleteObject", {"If-Match": "*"})
        self.assertClientError(anything.delete_object, "NoSuchKey", 404, Bucket=self.bucket, Key="del")
        self.s3.put_object(Bucket=self.bucket, Key="del", Body=b"v2")
        anything.delete_object(Bucket=self.bucket, Key="del")
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="del")

    def test_aws_cli_v1(self):
        """aws-cli v1 has --if-none-match and --if-match (v2 here predates them)."""
        self.s3.put_object(Bucket=self.bucket, Key="cli", Body=b"v1")
        path = self.temp_dir() + "/body"
        with open(path, "wb") as handle:
            handle.write(b"v2")
        done = aws_cli(AWS_CLI_V1, "s3api", "put-object", "--bucket", self.bucket, "--key", "cli", "--body", path,
                       "--if-none-match", "*")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("PreconditionFailed", done.stderr)
        etag = self.s3.head_object(Bucket=self.bucket, Key="cli")["ETag"]
        done = aws_cli(AWS_CLI_V1, "s3api", "put-object", "--bucket", self.bucket, "--key", "cli", "--body", path,
                       "--if-match", etag)
        self.assertEqual(done.returncode, 0, done.stderr)
        new_etag = json.loads(done.stdout)["ETag"]
        done = aws_cli(AWS_CLI_V1, "s3api", "delete-object", "--bucket", self.bucket, "--key", "cli", "--if-match",
                       etag)
        self.assertIn("PreconditionFailed", done.stderr)
        done = aws_cli(AWS_CLI_V1, "s3api", "delete-object", "--bucket", self.bucket, "--key", "cli", "--if-match",
                       new_etag)
        self.assertEqual(done.returncode, 0, done.stderr)


class ConditionalReadTests(S3TestCase):

    def setUp(self):
        super().setUp()
        self.body = b"0123456789"
        self.etag = self.s3.put_object(Bucket=self.bucket, Key="c", Body=self.body)["ETag"]
        modified = self.s3.head_object(Bucket=self.bucket, Key="c")["LastModified"]
        self.past = modified - datetime.timedelta(days=1)
        self.future = modified + datetime.timedelta(days=1)

    def read(self, method, **conditions):
        return method(Bucket=self.bucket, Key="c", **conditions)

    def test_matching_conditions_return_the_object(self):
        for conditions in ({"IfMatch": self.etag}, {"IfNoneMatch": quoted_md5(b"other")},
                           {"IfModifiedSince": self.past}, {"IfUnmodifiedSince": self.future}):
            with self.subTest(conditions=conditions):
                self.assertEqual(self.read(self.s3.get_object, **conditions)["Body"].read(), self.body)
                self.assertEqual(self.read(self.s3.head_object, **conditions)["ETag"], self.etag)

    def test_failed_if_match_and_if_unmodified_since_are_412(self):
        for conditions in ({"IfMatch": quoted_md5(b"other")}, {"IfUnmodifiedSince": self.past}):
            with self.subTest(conditions=conditions):
                self.assertClientError(self.s3.get_object, "PreconditionFailed", 412,
                                       Bucket=self.bucket, Key="c", **conditions)
                self.assertClientError(self.s3.head_object, "412", 412, Bucket=self.bucket, Key="c", **conditions)

    def test_failed_if_none_match_and_if_modified_since_are_304(self):
        for conditions in ({"IfNoneMatch": self.etag}, {"IfModifiedSince": self.future}):
            with self.subTest(conditions=conditions):
                self.assertClientError(self.s3.get_object, "304", 304, Bucket=self.bucket, Key="c", **conditions)
                self.assertClientError(self.s3.head_object, "304", 304, Bucket=self.bucket, Key="c", **conditions)

    def test_if_match_true_overrides_failed_if_unmodified_since(self):
        got = self.read(self.s3.get_object, IfMatch=self.etag, IfUnmodifiedSince=self.past)
        self.assertEqual(got["Body"].read(), self.body)

    def test_if_none_match_false_with_if_modified_since_true_is_304(self):
        self.assertClientError(self.s3.get_object, "304", 304, Bucket=self.bucket, Key="c",
                               IfNoneMatch=self.etag, IfModifiedSince=self.past)


class RangeTests(S3TestCase):

    def setUp(self):
        super().setUp()
        self.body = b"0123456789"
        self.s3.put_object(Bucket=self.bucket, Key="r", Body=self.body)

    def test_ranges_return_206_with_content_range(self):
        for header, expected, content_range in (("bytes=2-5", b"2345", "bytes 2-5/10"),
                                                ("bytes=7-", b"789", "bytes 7-9/10"),
                                                ("bytes=-3", b"789", "bytes 7-9/10"),
                                                ("bytes=8-100", b"89", "bytes 8-9/10")):
            with self.subTest(range=header):
                got = self.s3.get_object(Bucket=self.bucket, Key="r", Range=header)
                self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 206)
                self.assertEqual(got["ContentRange"], content_range)
                self.assertEqual(got["ContentLength"], len(expected))
                self.assertEqual(got["Body"].read(), expected)

    def test_unsatisfiable_range_is_416_invalid_range(self):
        self.assertClientError(self.s3.get_object, "InvalidRange", 416, Bucket=self.bucket, Key="r",
                               Range="bytes=100-200")

    def test_range_on_head(self):
        got = self.s3.head_object(Bucket=self.bucket, Key="r", Range="bytes=0-0")
        self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 206)
        self.assertEqual(got["ContentLength"], 1)
        self.assertEqual(got["ResponseMetadata"]["HTTPHeaders"].get("content-range"), "bytes 0-0/10")


class ResponseOverrideTests(S3TestCase):

    def test_response_header_overrides(self):
        self.s3.put_object(Bucket=self.bucket, Key="o", Body=b"data", ContentType="text/plain")
        got = self.s3.get_object(Bucket=self.bucket, Key="o", ResponseContentType="application/x-custom",
                                 ResponseContentDisposition="attachment; filename=o.bin",
                                 ResponseCacheControl="no-cache", ResponseContentLanguage="fr",
                                 ResponseContentEncoding="identity",
                                 ResponseExpires=datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc))
        headers = got["ResponseMetadata"]["HTTPHeaders"]
        self.assertEqual(got["ContentType"], "application/x-custom")
        self.assertEqual(got["ContentDisposition"], "attachment; filename=o.bin")
        self.assertEqual(got["CacheControl"], "no-cache")
        self.assertEqual(got["ContentLanguage"], "fr")
        self.assertEqual(got["ContentEncoding"], "identity")
        self.assertIn("2030", headers.get("expires", ""))
        self.assertEqual(got["Body"].read(), b"data")
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="o")["ContentType"], "text/plain")


class DeleteTests(S3TestCase):

    def test_delete_object_then_missing_is_still_204(self):
        self.s3.put_object(Bucket=self.bucket, Key="d", Body=b"x")
        self.assertEqual(self.s3.delete_object(Bucket=self.bucket, Key="d")["ResponseMetadata"]["HTTPStatusCode"],
                         204)
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="d")
        self.assertEqual(self.s3.delete_object(Bucket=self.bucket, Key="d")["ResponseMetadata"]["HTTPStatusCode"],
                         204)

    def put_keys(self, keys):
        for key in keys:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=key.encode())

    def remaining_keys(self):
        return [item["Key"] for item in self.s3.list_objects_v2(Bucket=self.bucket).get("Contents", [])]

    def test_delete_objects_reports_each_key(self):
        self.put_keys(["a", "b", "c", "keep"])
        response = self.s3.delete_objects(Bucket=self.bucket, Delete={
            "Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "c"}, {"Key": "never-existed"}]})
        self.assertEqual(sorted(d["Key"] for d in response["Deleted"]), ["a", "b", "c", "never-existed"])
        self.assertEqual(response.get("Errors", []), [])
        self.assertEqual(self.remaining_keys(), ["keep"])

    def test_delete_objects_quiet_reports_nothing(self):
        self.put_keys(["q1", "q2"])
        response = self.s3.delete_objects(Bucket=self.bucket,
                                          Delete={"Objects": [{"Key": "q1"}, {"Key": "q2"}], "Quiet": True})
        self.assertNotIn("Deleted", response)
        self.assertEqual(response.get("Errors", []), [])
        self.assertEqual(self.remaining_keys(), [])


class CopyTests(S3TestCase):

    def setUp(self):
        super().setUp()
        self.body = b"copy me"
        self.etag = self.s3.put_object(Bucket=self.bucket, Key="src", Body=self.body, ContentType="text/x-src",
                                       Metadata={"origin": "src"})["ETag"]
        self.source = {"Bucket": self.bucket, "Key": "src"}

    def test_copy_directive_keeps_metadata(self):
        other = self.new_bucket("copydst")
        result = self.s3.copy_object(Bucket=other, Key="dst", CopySource=self.source)
        self.assertEqual(result["CopyObjectResult"]["ETag"], self.etag)
        got = self.s3.get_object(Bucket=other, Key="dst")
        self.assertEqual(got["Body"].read(), self.body)
        self.assertEqual(got["ContentType"], "text/x-src")
        self.assertEqual(got["Metadata"], {"origin": "src"})

    def test_copy_ignores_new_metadata_without_replace(self):
        self.s3.copy_object(Bucket=self.bucket, Key="dst", CopySource=self.source, Metadata={"ignored": "yes"})
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="dst")["Metadata"], {"origin": "src"})

    def test_replace_directive_uses_request_metadata(self):
        self.s3.copy_object(Bucket=self.bucket, Key="dst", CopySource=self.source, MetadataDirective="REPLACE",
                            ContentType="text/x-new", Metadata={"fresh": "1"})
        head = self.s3.head_object(Bucket=self.bucket, Key="dst")
        self.assertEqual(head["ContentType"], "text/x-new")
        self.assertEqual(head["Metadata"], {"fresh": "1"})
        self.assertEqual(head["ETag"], self.etag)

    def test_copy_onto_itself_without_replace_is_invalid_request(self):
        self.assertClientError(self.s3.copy_object, "InvalidRequest", 400,
                               Bucket=self.bucket, Key="src", CopySource=self.source)

    def test_copy_onto_itself_with_replace_updates_metadata(self):
        self.s3.copy_object(Bucket=self.bucket, Key="src", CopySource=self.source, MetadataDirective="REPLACE",
                            Metadata={"origin": "rewritten"})
        got = self.s3.get_object(Bucket=self.bucket, Key="src")
        self.assertEqual(got["Metadata"], {"origin": "rewritten"})
        self.assertEqual(got["Body"].read(), self.body)

    def test_copy_source_if_match_failure_is_412(self):
        self.assertClientError(self.s3.copy_object, "PreconditionFailed", 412, Bucket=self.bucket, Key="dst",
                               CopySource=self.source, CopySourceIfMatch=quoted_md5(b"other"))
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="dst")
        self.s3.copy_object(Bucket=self.bucket, Key="dst", CopySource=self.source, CopySourceIfMatch=self.etag)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="dst")["Body"].read(), self.body)

    def test_copy_missing_source_is_no_such_key(self):
        self.assertClientError(self.s3.copy_object, "NoSuchKey", 404, Bucket=self.bucket, Key="dst",
                               CopySource={"Bucket": self.bucket, "Key": "absent"})


if __name__ == "__main__":
    unittest.main()
