"""Terraform conformance for IAM and STS: conformance/terraform-iam/main.tf applied
against the endpoint with the provider asking STS GetCallerIdentity for the account (no
skip_requesting_account_id): a function role with its inline policy, a managed policy
and AWS's AWSLambdaBasicExecutionRole attached, an instance profile, a user with an
inline policy and an access key, groups with an attached policy and both kinds of
membership, and a service-linked role.

The AWS provider comes from the local mirror (/opt/tf-plugins) through the CLI config
file next to main.tf. One test runs init and apply, checks what was made with boto3 and
signs with the access key Terraform made, runs a second plan with -detailed-exitcode
that must report no changes (0), then destroy and checks everything is gone. Skipped
without terraform.
"""
import os
import subprocess
import uuid

from harness import Terraform, terraform_test
from iam_support import ACCOUNT, AWS_LAMBDA_BASIC, IamTestCase, client, error_of
from server import endpoint


@terraform_test
class TerraformIamTests(IamTestCase):

    def setUp(self):
        super().setUp()
        self.prefix = "tf-%s" % uuid.uuid4().hex[:8]
        self.tf = Terraform("terraform-iam", {"endpoint": endpoint().url, "name_prefix": self.prefix})
        self.addCleanup(self.tf.remove)

    def output(self, name):
        completed = subprocess.run(["terraform", "output", "-raw", name], cwd=self.tf.work_dir,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.tf_env(), timeout=120)
        return completed.stdout.decode()

    def tf_env(self):
        env = dict(os.environ)
        env["TF_CLI_CONFIG_FILE"] = os.path.join(self.tf.config_dir, "terraformrc")
        return env

    def test_apply_plan_destroy(self):
        code, out = self.tf.apply()
        self.assertEqual(code, 0, out)
        self.assertEqual(self.output("account_id"), ACCOUNT)
        role = self.iam.get_role(RoleName=self.prefix + "-fn")["Role"]
        self.assertEqual((role["Path"], role["MaxSessionDuration"]), ("/service/", 7200))
        self.assertEqual(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
                         {"Service": "lambda.amazonaws.com"})
        attached = sorted(p["PolicyArn"] for p in
                          self.iam.list_attached_role_policies(RoleName=self.prefix + "-fn")["AttachedPolicies"])
        self.assertEqual(attached, sorted([AWS_LAMBDA_BASIC, "arn:aws:iam::%s:policy/app/%s-queue" % (ACCOUNT,
                                                                                                       self.prefix)]))
        self.assertEqual(self.iam.list_role_policies(RoleName=self.prefix + "-fn")["PolicyNames"], ["read-own-bucket"])
        profile = self.iam.get_instance_profile(InstanceProfileName=self.prefix + "-profile")["InstanceProfile"]
        self.assertEqual([r["RoleName"] for r in profile["Roles"]], [self.prefix + "-fn"])
        groups = sorted(g["GroupName"] for g in self.iam.list_groups_for_user(UserName=self.prefix + "-ci")["Groups"])
        self.assertEqual(groups, [self.prefix + "-deployers", self.prefix + "-readers"])
        key = {"AccessKeyId": self.output("access_key_id"), "SecretAccessKey": self.output("access_key_secret")}
        me = client("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
        self.assertEqual(me["Arn"], "arn:aws:iam::%s:user/robots/%s-ci" % (ACCOUNT, self.prefix))
        linked = [r for r in self.iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]
                  if r["RoleName"].endswith("_" + self.prefix)]
        self.assertEqual(len(linked), 1)
        code, out = self.tf.plan()
        self.assertEqual(code, 0, out)
        code, out = self.tf.destroy()
        self.assertEqual(code, 0, out)
        for call, kwargs in [(self.iam.get_role, {"RoleName": self.prefix + "-fn"}),
                             (self.iam.get_user, {"UserName": self.prefix + "-ci"}),
                             (self.iam.get_group, {"GroupName": self.prefix + "-deployers"}),
                             (self.iam.get_instance_profile, {"InstanceProfileName": self.prefix + "-profile"}),
                             (self.iam.get_role, {"RoleName": linked[0]["RoleName"]}),
                             (self.iam.get_policy, {"PolicyArn": "arn:aws:iam::%s:policy/app/%s-queue" %
                                                    (ACCOUNT, self.prefix)})]:
            self.assertEqual(error_of(call, **kwargs)["Error"]["Code"], "NoSuchEntity")
