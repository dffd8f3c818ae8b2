"""Real command-line clients against the endpoint: aws-cli v1 and v2 (`aws s3` mb, cp
including a 20 MiB multipart upload, ls, sync run twice, presign fetched with curl, rm,
rb, empty files among others uploaded without a stalled connection; s3api's
list-objects-v2 with an empty token, put-bucket-logging with grants, upload-part-copy
from a source version), s3cmd (mb, put, ls, get, del; also signing with SigV2) and
rclone (copy, ls, delete), plus an expired presigned URL refused with 403."""
import filecmp
import json
import os
import time
import unittest

from harness import AWS_CLI_V1, AWS_CLI_V2, RCLONE_REMOTE, RawResponse, S3TestCase, aws_cli, curl_get, \
    empty_and_delete_bucket, interpreter_free_test, raw_request, rclone, s3_client, s3cmd, unique_bucket_name
from test_bucket_config import allow_acls

MIB = 1024 * 1024


def write_file(path, data):
    """Writes data with an mtime an hour ago, so whole-second LastModified values on the
    server are never older than the local file (which would make sync upload again)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    an_hour_ago = time.time() - 3600
    os.utime(path, (an_hour_ago, an_hour_ago))
    return path


class CommandTestCase(S3TestCase):

    def run_ok(self, completed):
        self.assertEqual(completed.returncode, 0,
                         "command failed (%d):\nstdout: %s\nstderr: %s"
                         % (completed.returncode, completed.stdout[-2000:], completed.stderr[-2000:]))
        return completed.stdout


class AwsCliFlows:
    """The aws s3 flows, run once per CLI by the concrete classes below."""

    CREATE_BUCKET = False
    CLI = None

    def aws(self, *args):
        return self.run_ok(aws_cli(self.CLI, *args))

    def test_cp_with_acl(self):
        bucket = self.new_bucket("acl")
        allow_acls(self.s3, bucket)
        work = self.temp_dir()
        small = write_file(os.path.join(work, "page.html"), b"<p>hello</p>")
        large = write_file(os.path.join(work, "large.bin"), os.urandom(9 * MIB))
        self.aws("s3", "cp", small, "s3://%s/page.html" % bucket, "--acl", "public-read")
        self.aws("s3", "cp", large, "s3://%s/large.bin" % bucket, "--acl", "public-read")
        self.assertTrue(self.s3.head_object(Bucket=bucket, Key="large.bin")["ETag"].endswith('-2"'))
        for key, size in (("page.html", 12), ("large.bin", 9 * MIB)):
            response = raw_request("GET", "/%s/%s" % (bucket, key), {})
            self.assertEqual((response.status, len(response.body)), (200, size), key)

    def test_mb_cp_ls_presign_rm_rb(self):
        bucket = unique_bucket_name("cli")
        self.assertIn("make_bucket: %s" % bucket, self.aws("s3", "mb", "s3://" + bucket))
        self.addCleanup(empty_and_delete_bucket, s3_client(), bucket)
        work = self.temp_dir()
        small = write_file(os.path.join(work, "small.txt"), b"hello from the cli\n")
        large = write_file(os.path.join(work, "large.bin"), os.urandom(20 * MIB))
        self.aws("s3", "cp", small, "s3://%s/dir/small.txt" % bucket)
        self.aws("s3", "cp", large, "s3://%s/large.bin" % bucket)
        self.assertTrue(self.s3.head_object(Bucket=bucket, Key="large.bin")["ETag"].endswith('-3"'))

        listing = self.aws("s3", "ls", "s3://%s/" % bucket)
        self.assertIn("PRE dir/", listing)
        self.assertIn("20971520 large.bin", listing)
        self.assertIn("small.txt", self.aws("s3", "ls", "--recursive", "s3://%s" % bucket))

        self.aws("s3", "cp", "s3://%s/large.bin" % bucket, os.path.join(work, "large.back"))
        self.assertTrue(filecmp.cmp(large, os.path.join(work, "large.back"), shallow=False))

        url = self.aws("s3", "presign", "s3://%s/dir/small.txt" % bucket, "--expires-in", "300").strip()
        self.assertEqual(curl_get(url, os.path.join(work, "presigned.txt")), 200)
        self.assertTrue(filecmp.cmp(small, os.path.join(work, "presigned.txt"), shallow=False))

        self.aws("s3", "rm", "s3://%s/large.bin" % bucket)
        self.aws("s3", "rm", "--recursive", "s3://%s/dir/" % bucket)
        self.assertEqual(self.s3.list_objects_v2(Bucket=bucket)["KeyCount"], 0)
        self.aws("s3", "rb", "s3://" + bucket)
        self.assertClientError(self.s3.head_bucket, "404", 404, Bucket=bucket)

    def test_sync_twice_uploads_nothing_the_second_time(self):
        bucket = self.new_bucket("sync")
        source = self.temp_dir()
        for name in ("a.txt", "nested/b.txt", "nested/deeper/c.bin"):
            write_file(os.path.join(source, name), name.encode() * 100)
        first = self.aws("s3", "sync", "--no-progress", source, "s3://%s/tree" % bucket)
        self.assertEqual(first.count("upload:"), 3, first)
        second = self.aws("s3", "sync", "--no-progress", source, "s3://%s/tree" % bucket)
        self.assertEqual(second.strip(), "")
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=bucket)["Contents"]]
        self.assertEqual(keys, ["tree/a.txt", "tree/nested/b.txt", "tree/nested/deeper/c.bin"])
        target = self.temp_dir()
        self.aws("s3", "sync", "--no-progress", "s3://%s/tree" % bucket, target)
        self.assertTrue(filecmp.cmp(os.path.join(source, "nested/deeper/c.bin"),
                                    os.path.join(target, "nested/deeper/c.bin"), shallow=False))


    def test_empty_files_among_others_upload_without_stalling(self):
        """aws s3 uploads over pooled connections with Expect: 100-continue; an empty
        file must not leave its connection stalled for the next upload (issue 17)."""
        bucket = self.new_bucket("empties")
        source = self.temp_dir()
        for n in range(6):
            write_file(os.path.join(source, "d%d/.keep" % n), b"")
            write_file(os.path.join(source, "d%d/data.bin" % n), os.urandom(1024 * (n + 1)))
        started = time.monotonic()
        out = self.aws("s3", "cp", "--recursive", "--no-progress", source, "s3://%s/t" % bucket,
                       "--cli-read-timeout", "10")
        self.assertEqual(out.count("upload:"), 12, out)
        self.assertLess(time.monotonic() - started, 8)   # a stalled connection costs 10 s
        self.assertEqual(self.s3.list_objects_v2(Bucket=bucket)["KeyCount"], 12)

    def test_s3api_listing_logging_and_part_copy(self):
        """s3api calls of issue 17: list-objects-v2 with an empty continuation token,
        put-bucket-logging with target grants, upload-part-copy from a source version."""
        bucket = self.new_bucket("s3api")
        self.s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        listed = json.loads(self.aws("s3api", "list-objects-v2", "--bucket", bucket, "--continuation-token", ""))
        self.assertEqual(([o["Key"] for o in listed["Contents"]], listed["ContinuationToken"]), (["k"], ""))
        target = self.new_bucket("logs")
        self.s3.put_bucket_ownership_controls(Bucket=target, OwnershipControls={
            "Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
        status = {"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "l/", "TargetGrants": [
            {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
             "Permission": "READ"}]}}
        self.aws("s3api", "put-bucket-logging", "--bucket", bucket, "--bucket-logging-status", json.dumps(status))
        got = json.loads(self.aws("s3api", "get-bucket-logging", "--bucket", bucket))
        self.assertEqual(got["LoggingEnabled"]["TargetGrants"], status["LoggingEnabled"]["TargetGrants"])
        self.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.s3.put_object(Bucket=bucket, Key="src", Body=b"first")["VersionId"]
        self.s3.put_object(Bucket=bucket, Key="src", Body=b"second")
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
        copied = json.loads(self.aws("s3api", "upload-part-copy", "--bucket", bucket, "--key", "dst",
                                     "--upload-id", upload, "--part-number", "1",
                                     "--copy-source", "%s/src?versionId=%s" % (bucket, v1)))
        self.assertEqual(copied["CopySourceVersionId"], v1)
        self.s3.abort_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload)


@interpreter_free_test
class AwsCliV1Tests(AwsCliFlows, CommandTestCase):
    CLI = AWS_CLI_V1


@interpreter_free_test
class AwsCliV2Tests(AwsCliFlows, CommandTestCase):
    CLI = AWS_CLI_V2


class PresignTests(CommandTestCase):

    def test_expired_presigned_url_is_403(self):
        self.s3.put_object(Bucket=self.bucket, Key="p", Body=b"presigned")
        url = self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": "p"}, ExpiresIn=1)
        time.sleep(2.5)
        work = self.temp_dir()
        out = os.path.join(work, "expired.xml")
        self.assertEqual(curl_get(url, out), 403)
        with open(out, "rb") as body:
            self.assertEqual(RawResponse(403, {}, body.read()).error_code(), "AccessDenied")

    def test_presigned_get_with_tampered_key_is_rejected(self):
        self.s3.put_object(Bucket=self.bucket, Key="p", Body=b"presigned")
        self.s3.put_object(Bucket=self.bucket, Key="q", Body=b"other")
        url = self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": "p"})
        out = os.path.join(self.temp_dir(), "tampered.xml")
        self.assertEqual(curl_get(url.replace("/p?", "/q?"), out), 403)
        with open(out, "rb") as body:
            self.assertEqual(RawResponse(403, {}, body.read()).error_code(), "SignatureDoesNotMatch")


@interpreter_free_test
class S3cmdTests(CommandTestCase):
    CREATE_BUCKET = False

    def test_mb_put_ls_get_del(self):
        bucket = unique_bucket_name("s3cmd")
        self.run_ok(s3cmd("mb", "s3://" + bucket))
        self.addCleanup(empty_and_delete_bucket, s3_client(), bucket)
        work = self.temp_dir()
        local = write_file(os.path.join(work, "up.txt"), b"s3cmd payload\n" * 50)
        self.run_ok(s3cmd("put", local, "s3://%s/folder/up.txt" % bucket))
        self.assertIn("s3://%s/folder/" % bucket, self.run_ok(s3cmd("ls", "s3://%s/" % bucket)))
        self.assertIn("s3://%s/folder/up.txt" % bucket, self.run_ok(s3cmd("ls", "-r", "s3://%s" % bucket)))
        self.run_ok(s3cmd("get", "s3://%s/folder/up.txt" % bucket, os.path.join(work, "down.txt")))
        self.assertTrue(filecmp.cmp(local, os.path.join(work, "down.txt"), shallow=False))
        self.run_ok(s3cmd("del", "s3://%s/folder/up.txt" % bucket))
        self.assertEqual(self.s3.list_objects_v2(Bucket=bucket)["KeyCount"], 0)


    def test_signature_v2(self):
        """s3cmd with signature_v2 signs bucket requests as /bucket/ and the guide's
        sub-resources only; S3 takes what it signs."""
        bucket = unique_bucket_name("s3cmdv2")
        self.run_ok(s3cmd("--signature-v2", "mb", "s3://" + bucket))
        self.addCleanup(empty_and_delete_bucket, s3_client(), bucket)
        local = write_file(os.path.join(self.temp_dir(), "v2.txt"), b"signed the old way\n")
        self.run_ok(s3cmd("--signature-v2", "put", local, "s3://%s/v2.txt" % bucket))
        self.assertIn("s3://%s/v2.txt" % bucket, self.run_ok(s3cmd("--signature-v2", "ls", "s3://%s" % bucket)))
        self.assertIn("Location", self.run_ok(s3cmd("--signature-v2", "info", "s3://%s" % bucket)))
        cors = write_file(os.path.join(self.temp_dir(), "cors.xml"),
                          b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>"
                          b"<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>")
        self.run_ok(s3cmd("--signature-v2", "setcors", cors, "s3://%s" % bucket))
        self.assertEqual(self.s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["AllowedMethods"], ["GET"])
        self.run_ok(s3cmd("--signature-v2", "multipart", "s3://%s" % bucket))
        self.run_ok(s3cmd("--signature-v2", "del", "s3://%s/v2.txt" % bucket))
        self.run_ok(s3cmd("--signature-v2", "rb", "s3://%s" % bucket))


@interpreter_free_test
class RcloneTests(CommandTestCase):

    def test_copy_ls_delete(self):
        source = self.temp_dir()
        write_file(os.path.join(source, "one.txt"), b"rclone one")
        write_file(os.path.join(source, "sub/two.bin"), os.urandom(300000))
        remote = "%s:%s/backup" % (RCLONE_REMOTE, self.bucket)
        self.run_ok(rclone("copy", source, remote))
        listing = self.run_ok(rclone("ls", remote))
        self.assertIn("10 one.txt", listing)
        self.assertIn("300000 sub/two.bin", listing)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="backup/one.txt")["Body"].read(),
                         b"rclone one")
        back = self.temp_dir()
        self.run_ok(rclone("copy", remote, back))
        self.assertTrue(filecmp.cmp(os.path.join(source, "sub/two.bin"), os.path.join(back, "sub/two.bin"),
                                    shallow=False))
        self.run_ok(rclone("delete", remote))
        self.assertEqual(self.s3.list_objects_v2(Bucket=self.bucket)["KeyCount"], 0)


if __name__ == "__main__":
    unittest.main()
