"""Terraform conformance: conformance/terraform-s3/main.tf applied against the endpoint.

The AWS provider comes from the local mirror (/opt/tf-plugins) through the CLI config
file next to main.tf, so no network is used. One test runs the whole life cycle:
init, apply, a second plan with -detailed-exitcode that must report no changes (0),
then destroy, checking the buckets are gone. Skipped when terraform is not installed.
"""
import unittest
import uuid

from harness import S3TestCase, Terraform, endpoint, raw_request, terraform_test
from test_bucket_config import ALL_USERS
from botocore.exceptions import ClientError



@terraform_test
class TerraformS3Tests(S3TestCase):
    CREATE_BUCKET = False

    def setUp(self):
        super().setUp()
        self.prefix = "tf-%s" % uuid.uuid4().hex[:10]
        self.tf = Terraform("terraform-s3", {"endpoint": endpoint().url, "bucket_prefix": self.prefix})
        self.addCleanup(self.tf.remove)

    def test_apply_plan_destroy(self):
        code, out = self.tf.apply()
        self.assertEqual(code, 0, out)
        site = self.prefix + "-site"
        self.assertEqual(self.s3.get_object(Bucket=site, Key="index.html")["Body"].read(),
                         b"<h1>hello from cloudless</h1>")
        self.assertEqual(self.s3.get_bucket_website(Bucket=site)["IndexDocument"]["Suffix"], "index.html")
        response = raw_request("GET", "/%s/index.html" % site, {})
        self.assertEqual(response.status, 200)   # the policy's aws:SourceIp condition admits 127.0.0.1
        grants = self.s3.get_object_acl(Bucket=site, Key="notice.txt")["Grants"]
        self.assertIn({"Type": "Group", "URI": ALL_USERS}, [g["Grantee"] for g in grants if g["Permission"] == "READ"])
        code, out = self.tf.plan()
        self.assertEqual(code, 0, out)
        code, out = self.tf.destroy()
        self.assertEqual(code, 0, out)
        for bucket in (site, self.prefix + "-logs"):
            with self.assertRaises(ClientError):
                self.s3.head_bucket(Bucket=bucket)


if __name__ == "__main__":
    unittest.main()
