"""Object lock through boto3 and both aws-clis: buckets created with object lock,
Put/GetObjectLockConfiguration and its errors, default retention on new versions,
x-amz-object-lock-* headers on PUT, Put/GetObjectRetention, Put/GetObjectLegalHold,
and enforcement: a protected version refuses deletion (403 AccessDenied), GOVERNANCE
yields to x-amz-bypass-governance-retention, COMPLIANCE and legal holds do not."""
import datetime
import json
import unittest

from harness import AWS_CLI_V1, AWS_CLI_V2, S3TestCase, aws_cli, interpreter_free_test, unique_bucket_name

LOCK_DENIED = "Access Denied because object protected by object lock."


def in_days(days):
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)


class LockedBucketTestCase(S3TestCase):
    CREATE_BUCKET = False

    def setUp(self):
        super().setUp()
        self.bucket = unique_bucket_name("lock")
        self.s3.create_bucket(Bucket=self.bucket, ObjectLockEnabledForBucket=True)

    def put(self, key, **lock):
        return self.s3.put_object(Bucket=self.bucket, Key=key, Body=b"x", **lock)["VersionId"]


class ObjectLockConfigurationTests(S3TestCase):

    def test_plain_bucket_has_no_configuration(self):
        response = self.assertClientError(self.s3.get_object_lock_configuration,
                                          "ObjectLockConfigurationNotFoundError", 404, Bucket=self.bucket)
        self.assertEqual(response["Error"]["Message"], "Object Lock configuration does not exist for this bucket")

    def test_needs_versioning_enabled(self):
        config = {"ObjectLockEnabled": "Enabled"}
        self.assertClientError(self.s3.put_object_lock_configuration, "InvalidBucketState", 409,
                               Bucket=self.bucket, ObjectLockConfiguration=config)
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        self.s3.put_object_lock_configuration(Bucket=self.bucket, ObjectLockConfiguration=config)
        got = self.s3.get_object_lock_configuration(Bucket=self.bucket)["ObjectLockConfiguration"]
        self.assertEqual(got, {"ObjectLockEnabled": "Enabled"})

    def test_retention_on_a_bucket_without_lock(self):
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x")
        self.assertClientError(self.s3.put_object_retention, "InvalidRequest", 400, Bucket=self.bucket, Key="k",
                               Retention={"Mode": "GOVERNANCE", "RetainUntilDate": in_days(1)})
        self.assertClientError(self.s3.get_object_legal_hold, "InvalidRequest", 400, Bucket=self.bucket, Key="k")
        self.assertClientError(self.s3.put_object, "InvalidRequest", 400, Bucket=self.bucket, Key="k", Body=b"x",
                               ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=in_days(1))


class LockedBucketTests(LockedBucketTestCase):

    def test_creation_enables_versioning_and_lock(self):
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=self.bucket)["Status"], "Enabled")
        got = self.s3.get_object_lock_configuration(Bucket=self.bucket)["ObjectLockConfiguration"]
        self.assertEqual(got["ObjectLockEnabled"], "Enabled")
        self.assertClientError(self.s3.put_bucket_versioning, "InvalidBucketState", 409, Bucket=self.bucket,
                               VersioningConfiguration={"Status": "Suspended"})

    def test_default_retention_applies_to_new_versions(self):
        self.s3.put_object_lock_configuration(Bucket=self.bucket, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
        rule = self.s3.get_object_lock_configuration(Bucket=self.bucket)["ObjectLockConfiguration"]["Rule"]
        self.assertEqual(rule, {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}})
        version = self.put("k")
        head = self.s3.head_object(Bucket=self.bucket, Key="k")
        self.assertEqual(head["ObjectLockMode"], "GOVERNANCE")
        until = head["ObjectLockRetainUntilDate"]
        self.assertLess(abs((until - in_days(1)).total_seconds()), 120)
        retention = self.s3.get_object_retention(Bucket=self.bucket, Key="k", VersionId=version)["Retention"]
        self.assertEqual(retention["Mode"], "GOVERNANCE")
        self.assertClientError(self.s3.delete_object, "AccessDenied", 403, Bucket=self.bucket, Key="k",
                               VersionId=version)

    def test_bad_configurations(self):
        for rule in ({"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}},
                     {"DefaultRetention": {"Mode": "SOMETIMES", "Days": 1}}):
            with self.subTest(rule=rule):
                self.assertClientError(self.s3.put_object_lock_configuration, "MalformedXML", 400,
                                       Bucket=self.bucket,
                                       ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": rule})
        self.assertClientError(self.s3.put_object_lock_configuration, "InvalidArgument", 400, Bucket=self.bucket,
                               ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": {
                                   "DefaultRetention": {"Mode": "GOVERNANCE", "Days": 0}}})

    def test_governance_retention_and_bypass(self):
        version = self.put("k", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=in_days(2))
        head = self.s3.head_object(Bucket=self.bucket, Key="k")
        self.assertEqual(head["ObjectLockMode"], "GOVERNANCE")
        response = self.assertClientError(self.s3.delete_object, "AccessDenied", 403, Bucket=self.bucket,
                                          Key="k", VersionId=version)
        self.assertEqual(response["Error"]["Message"], LOCK_DENIED)
        marker = self.s3.delete_object(Bucket=self.bucket, Key="k")
        self.assertTrue(marker["DeleteMarker"])
        self.assertClientError(self.s3.put_object_retention, "AccessDenied", 403, Bucket=self.bucket, Key="k",
                               VersionId=version, Retention={"Mode": "GOVERNANCE", "RetainUntilDate": in_days(1)})
        self.s3.put_object_retention(Bucket=self.bucket, Key="k", VersionId=version,
                                     Retention={"Mode": "GOVERNANCE", "RetainUntilDate": in_days(3)})
        self.s3.delete_object(Bucket=self.bucket, Key="k", VersionId=version, BypassGovernanceRetention=True)
        self.assertClientError(self.s3.get_object, "NoSuchVersion", 404, Bucket=self.bucket, Key="k",
                               VersionId=version)

    def test_compliance_cannot_be_shortened_or_bypassed(self):
        version = self.put("c", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=in_days(1))
        self.assertClientError(self.s3.delete_object, "AccessDenied", 403, Bucket=self.bucket, Key="c",
                               VersionId=version, BypassGovernanceRetention=True)
        for retention in ({"Mode": "COMPLIANCE", "RetainUntilDate": in_days(0.5)},
                          {"Mode": "GOVERNANCE", "RetainUntilDate": in_days(2)}):
            self.assertClientError(self.s3.put_object_retention, "AccessDenied", 403, Bucket=self.bucket,
                                   Key="c", VersionId=version, Retention=retention,
                                   BypassGovernanceRetention=True)
        self.s3.put_object_retention(Bucket=self.bucket, Key="c", VersionId=version,
                                     Retention={"Mode": "COMPLIANCE", "RetainUntilDate": in_days(2)})
        response = self.s3.delete_objects(Bucket=self.bucket, BypassGovernanceRetention=True, Delete={
            "Objects": [{"Key": "c", "VersionId": version}]})
        self.assertEqual(response["Errors"][0]["Code"], "AccessDenied")
        self.assertEqual(response["Errors"][0]["VersionId"], version)

    def test_legal_hold(self):
        version = self.put("h", ObjectLockLegalHoldStatus="ON")
        self.assertEqual(self.s3.get_object_legal_hold(Bucket=self.bucket, Key="h")["LegalHold"]["Status"], "ON")
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="h")["ObjectLockLegalHoldStatus"], "ON")
        self.assertClientError(self.s3.delete_object, "AccessDenied", 403, Bucket=self.bucket, Key="h",
                               VersionId=version, BypassGovernanceRetention=True)
        self.s3.put_object_legal_hold(Bucket=self.bucket, Key="h", VersionId=version, LegalHold={"Status": "OFF"})
        self.assertEqual(self.s3.get_object_legal_hold(Bucket=self.bucket, Key="h")["LegalHold"]["Status"], "OFF")
        self.s3.delete_object(Bucket=self.bucket, Key="h", VersionId=version)

    def test_retention_errors(self):
        self.put("k")
        self.assertClientError(self.s3.get_object_retention, "NoSuchObjectLockConfiguration", 404,
                               Bucket=self.bucket, Key="k")
        self.assertClientError(self.s3.put_object_retention, "InvalidArgument", 400, Bucket=self.bucket, Key="k",
                               Retention={"Mode": "GOVERNANCE", "RetainUntilDate": in_days(-1)})
        self.assertClientError(self.s3.put_object, "InvalidArgument", 400, Bucket=self.bucket, Key="k",
                               Body=b"x", ObjectLockMode="GOVERNANCE")
        self.assertClientError(self.s3.put_object_retention, "NoSuchKey", 404, Bucket=self.bucket, Key="none",
                               Retention={"Mode": "GOVERNANCE", "RetainUntilDate": in_days(1)})


@interpreter_free_test
class CliObjectLockTests(S3TestCase):
    CREATE_BUCKET = False

    def test_object_lock_with_both_clis(self):
        for binary in (AWS_CLI_V1, AWS_CLI_V2):
            with self.subTest(binary=binary):
                bucket = unique_bucket_name("cli-lock")
                made = aws_cli(binary, "s3api", "create-bucket", "--bucket", bucket,
                               "--object-lock-enabled-for-bucket")
                self.assertEqual(made.returncode, 0, made.stderr)
                done = aws_cli(binary, "s3api", "put-object-lock-configuration", "--bucket", bucket,
                               "--object-lock-configuration",
                               '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":'
                               '{"Mode":"GOVERNANCE","Years":1}}}')
                self.assertEqual(done.returncode, 0, done.stderr)
                got = aws_cli(binary, "s3api", "get-object-lock-configuration", "--bucket", bucket)
                self.assertEqual(json.loads(got.stdout)["ObjectLockConfiguration"]["Rule"]["DefaultRetention"],
                                 {"Mode": "GOVERNANCE", "Years": 1})
                version = self.s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
                denied = aws_cli(binary, "s3api", "delete-object", "--bucket", bucket, "--key", "k",
                                 "--version-id", version)
                self.assertNotEqual(denied.returncode, 0)
                self.assertIn("AccessDenied", denied.stderr)
                bypass = aws_cli(binary, "s3api", "delete-object", "--bucket", bucket, "--key", "k",
                                 "--version-id", version, "--bypass-governance-retention")
                self.assertEqual(bypass.returncode, 0, bypass.stderr)
                self.s3.delete_bucket(Bucket=bucket)


if __name__ == "__main__":
    unittest.main()
