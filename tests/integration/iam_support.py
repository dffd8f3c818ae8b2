"""Helpers for the IAM and STS integration tests: clients for any credentials, unique
names, a base case that removes what a test created (with everything IAM makes one
detach first), aws-cli runs with chosen credentials, and the policies tests reuse.
"""
import json
import os
import subprocess
import unittest
import urllib.parse
import uuid

import boto3
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import harness
from server import endpoint

ACCOUNT = "000000000000"

LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ACCOUNT_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT}, "Action": "sts:AssumeRole"}]}
READ_BUCKET = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}]}
AWS_LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def client(service, access_key=harness.ACCESS_KEY, secret_key=harness.SECRET_KEY, token=None, unsigned=False,
           url=None, validate=True):
    """A client for the endpoint; validate=False lets values the SDK would refuse reach
    the server (to see its ValidationError)."""
    config = Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"},
                    signature_version=UNSIGNED if unsigned else None, parameter_validation=validate)
    return boto3.client(service, endpoint_url=url or endpoint().url, region_name=harness.REGION,
                        aws_access_key_id=access_key, aws_secret_access_key=secret_key, aws_session_token=token,
                        config=config)


def client_for(service, credentials, **extra):
    """A client signing with an AccessKey (IAM) or Credentials (STS) answer."""
    return client(service, credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials.get("SessionToken"),
                  **extra)


def signed_query(service, params, access_key=harness.ACCESS_KEY, secret_key=harness.SECRET_KEY):
    """POSTs a query-protocol form signed for `service` ("iam", "sts"); a RawResponse."""
    body = urllib.parse.urlencode(params).encode()
    request = AWSRequest(method="POST", url=endpoint().url + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                                  "Host": endpoint().hostport})
    SigV4Auth(Credentials(access_key, secret_key), service, harness.REGION).add_auth(request)
    return harness.raw_request("POST", "/", dict(request.headers.items()), body)


def unique_name(label):
    return "it-%s-%s" % (label, uuid.uuid4().hex[:10])


def error_of(call, *args, **kwargs):
    """The ClientError's response of a call expected to fail."""
    try:
        call(*args, **kwargs)
    except ClientError as error:
        return error.response
    raise AssertionError("the call succeeded")


def cli(binary, *args, credentials=None):
    """Runs aws-cli against the endpoint, signing with credentials (an IAM AccessKey or
    STS Credentials answer) or the test/test root keys."""
    env = dict(os.environ)
    if credentials:
        env["AWS_ACCESS_KEY_ID"] = credentials["AccessKeyId"]
        env["AWS_SECRET_ACCESS_KEY"] = credentials["SecretAccessKey"]
        if credentials.get("SessionToken"):
            env["AWS_SESSION_TOKEN"] = credentials["SessionToken"]
    completed = subprocess.run([binary, "--endpoint-url", endpoint().url, "--region", harness.REGION, "--output",
                                "json"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, timeout=harness.CLI_TIMEOUT_SECONDS)
    completed.stdout = completed.stdout.decode("utf-8", "replace")
    completed.stderr = completed.stderr.decode("utf-8", "replace")
    return completed


def cli_json(binary, *args, **kwargs):
    completed = cli(binary, *args, **kwargs)
    if completed.returncode != 0:
        raise AssertionError("%s %s failed: %s" % (binary, " ".join(args), completed.stderr))
    return json.loads(completed.stdout) if completed.stdout.strip() else {}


def _quietly(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError:
        pass


def remove_user(iam, name):
    """Deletes a user with its keys, policies and memberships."""
    for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        _quietly(iam.delete_access_key, UserName=name, AccessKeyId=key["AccessKeyId"])
    for policy in iam.list_user_policies(UserName=name)["PolicyNames"]:
        _quietly(iam.delete_user_policy, UserName=name, PolicyName=policy)
    for policy in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
        _quietly(iam.detach_user_policy, UserName=name, PolicyArn=policy["PolicyArn"])
    for group in iam.list_groups_for_user(UserName=name)["Groups"]:
        _quietly(iam.remove_user_from_group, GroupName=group["GroupName"], UserName=name)
    iam.delete_user(UserName=name)


def remove_group(iam, name):
    for user in iam.get_group(GroupName=name)["Users"]:
        _quietly(iam.remove_user_from_group, GroupName=name, UserName=user["UserName"])
    for policy in iam.list_group_policies(GroupName=name)["PolicyNames"]:
        _quietly(iam.delete_group_policy, GroupName=name, PolicyName=policy)
    for policy in iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"]:
        _quietly(iam.detach_group_policy, GroupName=name, PolicyArn=policy["PolicyArn"])
    iam.delete_group(GroupName=name)


def remove_role(iam, name):
    for profile in iam.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"]:
        _quietly(iam.remove_role_from_instance_profile, InstanceProfileName=profile["InstanceProfileName"],
                 RoleName=name)
    for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        _quietly(iam.delete_role_policy, RoleName=name, PolicyName=policy)
    for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        _quietly(iam.detach_role_policy, RoleName=name, PolicyArn=policy["PolicyArn"])
    iam.delete_role(RoleName=name)


def remove_policy(iam, arn):
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    for role in entities["PolicyRoles"]:
        _quietly(iam.detach_role_policy, RoleName=role["RoleName"], PolicyArn=arn)
    for user in entities["PolicyUsers"]:
        _quietly(iam.detach_user_policy, UserName=user["UserName"], PolicyArn=arn)
    for group in entities["PolicyGroups"]:
        _quietly(iam.detach_group_policy, GroupName=group["GroupName"], PolicyArn=arn)
    for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not version["IsDefaultVersion"]:
            _quietly(iam.delete_policy_version, PolicyArn=arn, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=arn)


class IamTestCase(unittest.TestCase):
    """Creates entities with unique names and removes them after the test."""

    def setUp(self):
        self.iam = client("iam")
        self.sts = client("sts")

    def _cleanup(self, remove, *args):
        def run():
            try:
                remove(self.iam, *args)
            except ClientError as error:
                if error.response["Error"]["Code"] != "NoSuchEntity":
                    raise
        self.addCleanup(run)

    def new_user(self, label="user", **extra):
        name = unique_name(label)
        self.iam.create_user(UserName=name, **extra)
        self._cleanup(remove_user, name)
        return name

    def new_group(self, label="group", **extra):
        name = unique_name(label)
        self.iam.create_group(GroupName=name, **extra)
        self._cleanup(remove_group, name)
        return name

    def new_role(self, label="role", trust=ACCOUNT_TRUST, **extra):
        name = unique_name(label)
        self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), **extra)
        self._cleanup(remove_role, name)
        return name

    def new_policy(self, document=READ_BUCKET, label="policy", **extra):
        arn = self.iam.create_policy(PolicyName=unique_name(label), PolicyDocument=json.dumps(document),
                                     **extra)["Policy"]["Arn"]
        self._cleanup(remove_policy, arn)
        return arn

    def new_user_with_key(self, label="user"):
        name = self.new_user(label)
        return name, self.iam.create_access_key(UserName=name)["AccessKey"]

    def assertIamError(self, call, code, status, *args, message=None, **kwargs):
        response = error_of(call, *args, **kwargs)
        self.assertEqual(response["Error"]["Code"], code, response)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status, response)
        if message is not None:
            self.assertIn(message, response["Error"]["Message"])
        return response
