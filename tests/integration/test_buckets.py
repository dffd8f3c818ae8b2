"""Bucket operations through boto3: list, create (names, location, object ownership and
ACL headers, also through aws-cli v1 and v2, s3cmd and rclone), head, delete, and an
operation the server does not implement, each checked against AWS's documented codes."""
import json
import unittest

from harness import AWS_CLI_V1, AWS_CLI_V2, S3TestCase, aws_cli, empty_and_delete_bucket, rclone, RCLONE_REMOTE, \
    s3cmd, unique_bucket_name

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


class BucketTests(S3TestCase):

    def test_list_buckets_includes_new_bucket_with_owner(self):
        response = self.s3.list_buckets()
        self.assertIn(self.bucket, [b["Name"] for b in response["Buckets"]])
        self.assertIn("ID", response["Owner"])
        created = [b for b in response["Buckets"] if b["Name"] == self.bucket][0]
        self.assertIn("CreationDate", created)

    def test_invalid_bucket_names_are_rejected(self):
        for name in ("ab", "x" * 64, "UpperCase-bucket", "under_score", "-leading-dash", "trailing-dash-",
                     "192.168.1.1", "double..dot"):
            with self.subTest(name=name):
                self.addCleanup(empty_and_delete_bucket, self.s3, name)
                self.assertClientError(self.s3.create_bucket, "InvalidBucketName", 400, Bucket=name)

    def test_location_constraint_round_trips(self):
        name = unique_bucket_name("eu")
        self.s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.addCleanup(self.s3.delete_bucket, Bucket=name)
        self.assertEqual(self.s3.get_bucket_location(Bucket=name)["LocationConstraint"], "eu-west-1")
        self.assertClientError(self.s3.create_bucket, "BucketAlreadyOwnedByYou", 409, Bucket=name,
                               CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    def test_us_east_1_bucket_has_null_location(self):
        self.assertIsNone(self.s3.get_bucket_location(Bucket=self.bucket).get("LocationConstraint"))

    def test_recreate_own_bucket_in_us_east_1_succeeds(self):
        # AWS keeps legacy behaviour in us-east-1: re-creating a bucket you
        # own there answers 200 (CreateBucket docs, BucketAlreadyOwnedByYou).
        response = self.s3.create_bucket(Bucket=self.bucket)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 200)

    def test_head_bucket(self):
        response = self.s3.head_bucket(Bucket=self.bucket)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-bucket-region"), "us-east-1")

    def test_head_missing_bucket_is_404(self):
        self.assertClientError(self.s3.head_bucket, "404", 404, Bucket=unique_bucket_name("missing"))

    def test_delete_non_empty_bucket_then_empty(self):
        self.s3.put_object(Bucket=self.bucket, Key="keep", Body=b"x")
        self.assertClientError(self.s3.delete_bucket, "BucketNotEmpty", 409, Bucket=self.bucket)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="keep")["Body"].read(), b"x")
        self.s3.delete_object(Bucket=self.bucket, Key="keep")
        response = self.s3.delete_bucket(Bucket=self.bucket)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertClientError(self.s3.head_bucket, "404", 404, Bucket=self.bucket)

    def test_delete_missing_bucket_is_no_such_bucket(self):
        self.assertClientError(self.s3.delete_bucket, "NoSuchBucket", 404, Bucket=unique_bucket_name("missing"))

    def test_object_operations_on_missing_bucket(self):
        missing = unique_bucket_name("missing")
        self.assertClientError(self.s3.put_object, "NoSuchBucket", 404, Bucket=missing, Key="k", Body=b"x")
        self.assertClientError(self.s3.list_objects_v2, "NoSuchBucket", 404, Bucket=missing)

    def test_unimplemented_operation_answers_not_implemented(self):
        self.assertClientError(self.s3.get_bucket_analytics_configuration, "NotImplemented", 501,
                               Bucket=self.bucket, Id="analytics-1")


class CreateBucketAccessTests(S3TestCase):
    """x-amz-object-ownership and the ACL headers of CreateBucket, as a new AWS bucket
    takes them: ACLs need an ownership other than BucketOwnerEnforced (the default), and
    a public ACL is refused as the new bucket blocks public access (CreateBucket's docs:
    "If you try to create a bucket with a public ACL, the request will fail")."""

    CREATE_BUCKET = False

    def created(self, label, **kwargs):
        name = unique_bucket_name(label)
        self.addCleanup(empty_and_delete_bucket, self.s3, name)
        self.s3.create_bucket(Bucket=name, **kwargs)
        return name

    def ownership(self, bucket):
        return self.s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0]["ObjectOwnership"]

    def test_object_ownership_is_applied(self):
        for value in ("ObjectWriter", "BucketOwnerPreferred", "BucketOwnerEnforced"):
            with self.subTest(value=value):
                self.assertEqual(self.ownership(self.created("own", ObjectOwnership=value)), value)
        self.assertEqual(self.ownership(self.created("own")), "BucketOwnerEnforced")
        name = unique_bucket_name("own")
        self.addCleanup(empty_and_delete_bucket, self.s3, name)
        self.s3.meta.events.register_first("before-sign.s3.CreateBucket", self.bad_ownership_header)
        self.assertClientError(self.s3.create_bucket, "InvalidArgument", 400, Bucket=name)

    @staticmethod
    def bad_ownership_header(request, **_):
        request.headers["x-amz-object-ownership"] = "Everyone"

    def test_acl_needs_an_ownership_that_allows_acls(self):
        for acl in ({"ACL": "authenticated-read"}, {"GrantRead": 'id="111122223333"'}):
            with self.subTest(acl=acl):
                name = unique_bucket_name("acl")
                self.addCleanup(empty_and_delete_bucket, self.s3, name)
                response = self.assertClientError(self.s3.create_bucket, "InvalidBucketAclWithObjectOwnership", 400,
                                                  Bucket=name, **acl)
                self.assertEqual(response["Error"]["Message"],
                                 "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
                self.assertClientError(self.s3.head_bucket, "404", 404, Bucket=name)
        self.created("private", ACL="private")

    def test_public_acl_is_refused_at_creation(self):
        for acl in ("public-read", "public-read-write", "authenticated-read"):
            with self.subTest(acl=acl):
                name = unique_bucket_name("pub")
                self.addCleanup(empty_and_delete_bucket, self.s3, name)
                self.assertClientError(self.s3.create_bucket, "InvalidBucketAclWithBlockPublicAccessError", 400,
                                       Bucket=name, ACL=acl, ObjectOwnership="ObjectWriter")
                self.assertClientError(self.s3.head_bucket, "404", 404, Bucket=name)

    def test_acl_is_stored_with_ownership(self):
        bucket = self.created("grant", ObjectOwnership="ObjectWriter", GrantRead='id="111122223333"',
                              GrantFullControl='id="000000000000"')
        grants = {(g["Grantee"].get("ID"), g["Permission"]) for g in self.s3.get_bucket_acl(Bucket=bucket)["Grants"]}
        self.assertEqual(grants, {("111122223333", "READ"), ("000000000000", "FULL_CONTROL")})
        # Later, with the public access block removed, a public ACL is accepted as on AWS.
        self.s3.delete_public_access_block(Bucket=bucket)
        self.s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
        self.assertIn((None, "READ"), {(g["Grantee"].get("ID"), g["Permission"])
                                       for g in self.s3.get_bucket_acl(Bucket=bucket)["Grants"]})

    def test_aws_cli(self):
        for cli in (AWS_CLI_V1, AWS_CLI_V2):
            with self.subTest(cli=cli):
                name = unique_bucket_name("cli")
                self.addCleanup(empty_and_delete_bucket, self.s3, name)
                done = aws_cli(cli, "s3api", "create-bucket", "--bucket", name, "--acl", "public-read")
                self.assertNotEqual(done.returncode, 0)
                self.assertIn("InvalidBucketAclWithObjectOwnership", done.stderr)
                done = aws_cli(cli, "s3api", "create-bucket", "--bucket", name, "--object-ownership", "ObjectWriter")
                self.assertEqual(done.returncode, 0, done.stderr)
                done = aws_cli(cli, "s3api", "get-bucket-ownership-controls", "--bucket", name)
                self.assertEqual(json.loads(done.stdout)["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
                                 "ObjectWriter")

    def test_s3cmd_and_rclone(self):
        name = unique_bucket_name("s3cmd")
        self.addCleanup(empty_and_delete_bucket, self.s3, name)
        done = s3cmd("mb", "--acl-public", "s3://" + name)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("InvalidBucketAclWithObjectOwnership", done.stdout + done.stderr)
        self.assertEqual(s3cmd("mb", "s3://" + name).returncode, 0)
        self.assertEqual(self.ownership(name), "BucketOwnerEnforced")
        name = unique_bucket_name("rclone")
        self.addCleanup(empty_and_delete_bucket, self.s3, name)
        done = rclone("mkdir", "--s3-bucket-acl", "public-read", "%s:%s" % (RCLONE_REMOTE, name))
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("InvalidBucketAclWithObjectOwnership", done.stdout + done.stderr)
        done = rclone("mkdir", "--s3-bucket-acl", "private", "%s:%s" % (RCLONE_REMOTE, name))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.s3.head_bucket(Bucket=name)


if __name__ == "__main__":
    unittest.main()
