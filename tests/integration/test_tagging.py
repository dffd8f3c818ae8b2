"""Object and bucket tags through boto3 and both aws-clis: Put/Get/DeleteObjectTagging
(with versionId), the x-amz-tagging header on PutObject, CreateMultipartUpload and
CopyObject (COPY / REPLACE directive), x-amz-tagging-count on GET/HEAD,
Put/Get/DeleteBucketTagging, and AWS's limits and errors for both."""
import json
import unittest

from harness import AWS_CLI_V1, AWS_CLI_V2, S3TestCase, aws_cli, interpreter_free_test


def tag_set(**tags):
    return {"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}


def as_dict(tagging):
    return {t["Key"]: t["Value"] for t in tagging["TagSet"]}


class ObjectTaggingTests(S3TestCase):

    def setUp(self):
        super().setUp()
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x")

    def test_put_get_delete(self):
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="k")["TagSet"], [])
        self.s3.put_object_tagging(Bucket=self.bucket, Key="k", Tagging=tag_set(env="dev", team="a b"))
        self.assertEqual(as_dict(self.s3.get_object_tagging(Bucket=self.bucket, Key="k")),
                         {"env": "dev", "team": "a b"})
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="k")["ResponseMetadata"]
                         ["HTTPHeaders"]["x-amz-tagging-count"], "2")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k")["TagCount"], 2)
        self.s3.put_object_tagging(Bucket=self.bucket, Key="k", Tagging=tag_set(only="one"))
        self.assertEqual(as_dict(self.s3.get_object_tagging(Bucket=self.bucket, Key="k")), {"only": "one"})
        deleted = self.s3.delete_object_tagging(Bucket=self.bucket, Key="k")
        self.assertEqual(deleted["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="k")["TagSet"], [])
        self.assertNotIn("TagCount", self.s3.get_object(Bucket=self.bucket, Key="k"))

    def test_missing_key(self):
        self.assertClientError(self.s3.get_object_tagging, "NoSuchKey", 404, Bucket=self.bucket, Key="none")
        self.assertClientError(self.s3.put_object_tagging, "NoSuchKey", 404, Bucket=self.bucket, Key="none",
                               Tagging=tag_set(a="b"))

    def test_tagging_header_on_put(self):
        self.s3.put_object(Bucket=self.bucket, Key="t", Body=b"x", Tagging="a=1&b=two%20words&empty=")
        self.assertEqual(as_dict(self.s3.get_object_tagging(Bucket=self.bucket, Key="t")),
                         {"a": "1", "b": "two words", "empty": ""})
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="t")["ResponseMetadata"]
                         ["HTTPHeaders"]["x-amz-tagging-count"], "3")

    def test_tagging_header_limits(self):
        eleven = "&".join("k%d=v" % i for i in range(11))
        self.assertClientError(self.s3.put_object, "BadRequest", 400, Bucket=self.bucket, Key="t", Body=b"x",
                               Tagging=eleven)
        self.assertClientError(self.s3.put_object, "InvalidTag", 400, Bucket=self.bucket, Key="t", Body=b"x",
                               Tagging="a=1&a=2")
        self.assertClientError(self.s3.get_object, "NoSuchKey", 404, Bucket=self.bucket, Key="t")

    def test_tag_rules(self):
        cases = [
            ("BadRequest", "Object tags cannot be greater than 10",
             tag_set(**{"k%d" % i: "v" for i in range(11)})),
            ("InvalidTag", "The TagKey you have provided is too long, max 128", tag_set(**{"k" * 129: "v"})),
            ("InvalidTag", "The TagValue you have provided is too long, max 256", tag_set(k="v" * 257)),
            ("InvalidTag", "Cannot provide multiple Tags with the same key",
             {"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]}),
            ("InvalidTag", "Your TagKey cannot be prefixed with aws:", tag_set(**{"aws:x": "v"})),
            ("InvalidTag", "The TagKey you have provided is invalid", tag_set(**{"a*b": "v"})),
        ]
        for code, message, tagging in cases:
            with self.subTest(message=message):
                response = self.assertClientError(self.s3.put_object_tagging, code, 400, Bucket=self.bucket,
                                                  Key="k", Tagging=tagging)
                self.assertEqual(response["Error"]["Message"], message)
        self.s3.put_object_tagging(Bucket=self.bucket, Key="k", Tagging=tag_set(
            **{"k" * 128: "v" * 256, "ok key_+-=.:/@": "\u00e9t\u00e9"}))
        self.assertEqual(len(self.s3.get_object_tagging(Bucket=self.bucket, Key="k")["TagSet"]), 2)

    def test_tags_of_a_version(self):
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        first = self.s3.put_object(Bucket=self.bucket, Key="v", Body=b"1", Tagging="gen=1")["VersionId"]
        self.s3.put_object(Bucket=self.bucket, Key="v", Body=b"2", Tagging="gen=2")
        response = self.s3.get_object_tagging(Bucket=self.bucket, Key="v", VersionId=first)
        self.assertEqual((as_dict(response), response["VersionId"]), ({"gen": "1"}, first))
        put = self.s3.put_object_tagging(Bucket=self.bucket, Key="v", VersionId=first, Tagging=tag_set(gen="old"))
        self.assertEqual(put["VersionId"], first)
        self.assertEqual(as_dict(self.s3.get_object_tagging(Bucket=self.bucket, Key="v")), {"gen": "2"})
        self.s3.delete_object_tagging(Bucket=self.bucket, Key="v", VersionId=first)
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="v", VersionId=first)["TagSet"], [])
        self.assertClientError(self.s3.get_object_tagging, "NoSuchVersion", 404, Bucket=self.bucket, Key="v",
                               VersionId="Z" * 32)


class TaggingOnCopyAndMultipartTests(S3TestCase):

    def test_copy_keeps_or_replaces_tags(self):
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=b"x", Tagging="from=src")
        self.s3.copy_object(Bucket=self.bucket, Key="kept", CopySource={"Bucket": self.bucket, "Key": "src"})
        self.assertEqual(as_dict(self.s3.get_object_tagging(Bucket=self.bucket, Key="kept")), {"from": "src"})
        self.s3.copy_object(Bucket=self.bucket, Key="replaced", CopySource={"Bucket": self.bucket, "Key": "src"},
                            TaggingDirective="REPLACE", Tagging="new=tag")
        self.assertEqual(as_dict(self.s3.get_object_tagging(Bucket=self.bucket, Key="replaced")), {"new": "tag"})
        self.s3.copy_object(Bucket=self.bucket, Key="cleared", CopySource={"Bucket": self.bucket, "Key": "src"},
                            TaggingDirective="REPLACE")
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="cleared")["TagSet"], [])
        self.assertClientError(self.s3.copy_object, "InvalidArgument", 400, Bucket=self.bucket, Key="bad",
                               CopySource={"Bucket": self.bucket, "Key": "src"}, TaggingDirective="MOVE")

    def test_multipart_upload_tags(self):
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key="mp", Tagging="part=of&upload=yes")
        part = self.s3.upload_part(Bucket=self.bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=1,
                                   Body=b"data")
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key="mp", UploadId=upload["UploadId"],
                                          MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        self.assertEqual(as_dict(self.s3.get_object_tagging(Bucket=self.bucket, Key="mp")),
                         {"part": "of", "upload": "yes"})


class BucketTaggingTests(S3TestCase):

    def test_put_get_delete(self):
        response = self.assertClientError(self.s3.get_bucket_tagging, "NoSuchTagSet", 404, Bucket=self.bucket)
        self.assertEqual(response["Error"]["Message"], "The TagSet does not exist")
        self.s3.put_bucket_tagging(Bucket=self.bucket, Tagging=tag_set(project="cloudless", env="ci"))
        self.assertEqual(as_dict(self.s3.get_bucket_tagging(Bucket=self.bucket)),
                         {"project": "cloudless", "env": "ci"})
        deleted = self.s3.delete_bucket_tagging(Bucket=self.bucket)
        self.assertEqual(deleted["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertClientError(self.s3.get_bucket_tagging, "NoSuchTagSet", 404, Bucket=self.bucket)

    def test_limits(self):
        self.s3.put_bucket_tagging(Bucket=self.bucket, Tagging=tag_set(**{"k%d" % i: "v" for i in range(50)}))
        self.assertEqual(len(self.s3.get_bucket_tagging(Bucket=self.bucket)["TagSet"]), 50)
        self.assertClientError(self.s3.put_bucket_tagging, "InvalidTag", 400, Bucket=self.bucket,
                               Tagging=tag_set(**{"k%d" % i: "v" for i in range(51)}))
        self.assertClientError(self.s3.put_bucket_tagging, "InvalidTag", 400, Bucket=self.bucket,
                               Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]})
        self.assertEqual(len(self.s3.get_bucket_tagging(Bucket=self.bucket)["TagSet"]), 50)

    def test_missing_bucket(self):
        self.assertClientError(self.s3.get_bucket_tagging, "NoSuchBucket", 404, Bucket=self.bucket + "-none")


@interpreter_free_test
class CliTaggingTests(S3TestCase):

    def test_tagging_with_both_clis(self):
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x")
        for binary in (AWS_CLI_V1, AWS_CLI_V2):
            with self.subTest(binary=binary):
                done = aws_cli(binary, "s3api", "put-object-tagging", "--bucket", self.bucket, "--key", "k",
                               "--tagging", "TagSet=[{Key=cli,Value=%s}]" % binary.replace("/", "_"))
                self.assertEqual(done.returncode, 0, done.stderr)
                got = aws_cli(binary, "s3api", "get-object-tagging", "--bucket", self.bucket, "--key", "k")
                self.assertEqual(json.loads(got.stdout)["TagSet"][0]["Key"], "cli")
                done = aws_cli(binary, "s3api", "put-bucket-tagging", "--bucket", self.bucket,
                               "--tagging", "TagSet=[{Key=owner,Value=me}]")
                self.assertEqual(done.returncode, 0, done.stderr)
                got = aws_cli(binary, "s3api", "get-bucket-tagging", "--bucket", self.bucket)
                self.assertEqual(json.loads(got.stdout)["TagSet"], [{"Key": "owner", "Value": "me"}])
                gone = aws_cli(binary, "s3api", "delete-bucket-tagging", "--bucket", self.bucket)
                self.assertEqual(gone.returncode, 0, gone.stderr)
                missing = aws_cli(binary, "s3api", "get-bucket-tagging", "--bucket", self.bucket)
                self.assertNotEqual(missing.returncode, 0)
                self.assertIn("NoSuchTagSet", missing.stderr)


if __name__ == "__main__":
    unittest.main()
