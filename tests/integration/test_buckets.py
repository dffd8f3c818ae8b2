"""Bucket operations through boto3: list, create (names, location), head, delete, and an
operation the server does not implement, each checked against AWS's documented codes."""
import unittest

from harness import S3TestCase, empty_and_delete_bucket, unique_bucket_name


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


if __name__ == "__main__":
    unittest.main()
