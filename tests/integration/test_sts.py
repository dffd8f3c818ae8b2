"""STS through real clients (boto3 of either version, aws-cli v1 and v2):
GetCallerIdentity for every kind of principal, AssumeRole (the trust policy decides,
durations, session policies and tags, role chaining, the assumed-role ARN and AROA ids),
temporary credentials used on S3 (headers and presigned URLs), SQS, Lambda and Logs,
AWS's ExpiredToken in each service's shape once they expire, GetSessionToken,
AssumeRoleWithWebIdentity (unsigned, tokens read without an identity provider),
GetAccessKeyInfo, and a role trusted by another account.
"""
import base64
import datetime
import json
import os
import sqlite3
import time
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

import harness
from iam_support import (ACCOUNT, ACCOUNT_TRUST, READ_BUCKET, IamTestCase, cli, cli_json, client, client_for,
                         error_of, signed_query, unique_name)
from server import OwnServer, endpoint


def jwt(claims):
    """An unsigned-looking OpenID Connect token carrying `claims`."""
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    return "%s.%s.%s" % (part({"alg": "RS256", "typ": "JWT"}), part(claims), part("signature"))


GITHUB = "token.actions.githubusercontent.com"


def web_identity_trust(subject):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, GITHUB)},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {GITHUB + ":aud": "sts.amazonaws.com"},
                      "StringLike": {GITHUB + ":sub": subject}}}]}


def trust_for(*arns):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": list(arns)}, "Action": "sts:AssumeRole"}]}


class StsTestCase(IamTestCase):

    def role_arn(self, name):
        return "arn:aws:iam::%s:role/%s" % (ACCOUNT, name)

    def assume(self, role, session="session", sts=None, **extra):
        return (sts or self.sts).assume_role(RoleArn=self.role_arn(role), RoleSessionName=session, **extra)


class CallerIdentityTests(StsTestCase):

    def test_every_kind_of_caller(self):
        root = self.sts.get_caller_identity()
        self.assertEqual((root["Account"], root["Arn"], root["UserId"]),
                         (ACCOUNT, "arn:aws:iam::%s:root" % ACCOUNT, ACCOUNT))
        name, key = self.new_user_with_key()
        user = client_for("sts", key).get_caller_identity()
        self.assertEqual(user["Arn"], "arn:aws:iam::%s:user/%s" % (ACCOUNT, name))
        self.assertTrue(user["UserId"].startswith("AIDA"))
        role = self.new_role()
        assumed = self.assume(role, "who-am-i")
        me = client_for("sts", assumed["Credentials"]).get_caller_identity()
        self.assertEqual(me["Arn"], "arn:aws:sts::%s:assumed-role/%s/who-am-i" % (ACCOUNT, role))
        self.assertEqual(me["UserId"], assumed["AssumedRoleUser"]["AssumedRoleId"])
        self.assertEqual(self.sts.get_access_key_info(AccessKeyId=key["AccessKeyId"])["Account"], ACCOUNT)
        self.assertEqual(self.sts.get_access_key_info(
            AccessKeyId=assumed["Credentials"]["AccessKeyId"])["Account"], ACCOUNT)
        self.assertEqual(error_of(self.sts.get_access_key_info, AccessKeyId="AKIAUNKNOWNKEY000000")["Error"]["Code"],
                         "ValidationError")


class AssumeRoleTests(StsTestCase):

    def test_assume_role_and_use_the_credentials(self):
        role = self.new_role(MaxSessionDuration=7200)
        started = datetime.datetime.now(datetime.timezone.utc)
        answer = self.assume(role, "app-run", DurationSeconds=7200, Policy=json.dumps(READ_BUCKET),
                             PolicyArns=[{"arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}],
                             Tags=[{"Key": "team", "Value": "a"}], SourceIdentity="ci")
        creds, user = answer["Credentials"], answer["AssumedRoleUser"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20)
        self.assertEqual(user["Arn"], "arn:aws:sts::%s:assumed-role/%s/app-run" % (ACCOUNT, role))
        role_id = self.iam.get_role(RoleName=role)["Role"]["RoleId"]
        self.assertEqual(user["AssumedRoleId"], role_id + ":app-run")
        lifetime = (creds["Expiration"] - started).total_seconds()
        self.assertTrue(7100 < lifetime < 7300, lifetime)
        self.assertIn("PackedPolicySize", answer)
        self.assertEqual(answer["SourceIdentity"], "ci")
        self.assertIn("LastUsedDate", self.iam.get_role(RoleName=role)["Role"]["RoleLastUsed"])
        # The credentials work on every service.
        bucket = unique_name("session")
        s3 = client_for("s3", creds)
        s3.create_bucket(Bucket=bucket)
        self.addCleanup(client("s3").delete_bucket, Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=b"from a session")
        self.addCleanup(client("s3").delete_object, Bucket=bucket, Key="k")
        self.assertEqual(s3.get_object(Bucket=bucket, Key="k")["Body"].read(), b"from a session")
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
        self.assertIn("x-amz-security-token=", url.lower())
        with urllib.request.urlopen(url) as response:
            self.assertEqual(response.read(), b"from a session")
        sigv4 = boto3.client("s3", endpoint_url=endpoint().url, region_name=harness.REGION,
                             aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                             aws_session_token=creds["SessionToken"],
                             config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
        url = sigv4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
        self.assertIn("X-Amz-Security-Token=", url)
        with urllib.request.urlopen(url) as response:
            self.assertEqual(response.read(), b"from a session")
        self.assertEqual(client_for("sqs", creds).list_queues()["ResponseMetadata"]["HTTPStatusCode"], 200)
        client_for("lambda", creds).list_functions()
        client_for("logs", creds).describe_log_groups(limit=1)
        client_for("iam", creds).list_roles(MaxItems=1)

    def test_trust_policy_decides_who_may_assume(self):
        alice, alice_key = self.new_user_with_key("alice")
        _, bob_key = self.new_user_with_key("bob")
        role = self.new_role(trust=trust_for("arn:aws:iam::%s:user/%s" % (ACCOUNT, alice)))
        self.assume(role, sts=client_for("sts", alice_key))
        denied = error_of(self.assume, role, sts=client_for("sts", bob_key))
        self.assertEqual((denied["Error"]["Code"], denied["ResponseMetadata"]["HTTPStatusCode"]), ("AccessDenied", 403))
        self.assertIn("is not authorized to perform: sts:AssumeRole on resource: %s" % self.role_arn(role),
                      denied["Error"]["Message"])
        self.assertEqual(error_of(self.assume, role)["Error"]["Code"], "AccessDenied")          # root is not named
        self.assertEqual(error_of(self.assume, "no-such-role-at-all")["Error"]["Code"], "AccessDenied")
        guarded = self.new_role(trust={"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "secret-handshake"}}}]})
        self.assertEqual(error_of(self.assume, guarded)["Error"]["Code"], "AccessDenied")
        self.assertEqual(error_of(self.assume, guarded, ExternalId="wrong-guess")["Error"]["Code"], "AccessDenied")
        self.assume(guarded, ExternalId="secret-handshake")

    def test_role_chaining(self):
        first = self.new_role("first")
        second = self.new_role("second", trust=trust_for(self.role_arn(first)))
        session = client_for("sts", self.assume(first)["Credentials"])
        chained = session.assume_role(RoleArn=self.role_arn(second), RoleSessionName="chained")
        self.assertEqual(chained["AssumedRoleUser"]["Arn"],
                         "arn:aws:sts::%s:assumed-role/%s/chained" % (ACCOUNT, second))
        too_long = error_of(session.assume_role, RoleArn=self.role_arn(second), RoleSessionName="chained-again",
                           DurationSeconds=3601)
        self.assertEqual(too_long["Error"]["Code"], "ValidationError")
        self.assertIn("role chaining", too_long["Error"]["Message"])
        self.assertEqual(error_of(self.assume, second)["Error"]["Code"], "AccessDenied")

    def test_validation(self):
        role = self.new_role()
        loose = client("sts", validate=False)
        for extra, words in [({"DurationSeconds": 899}, "greater than or equal to 900"),
                             ({"DurationSeconds": 7200}, "exceeds the MaxSessionDuration set for this role"),
                             ({"RoleSessionName": "bad name"}, "roleSessionName"),
                             ({"RoleSessionName": "a"}, "roleSessionName")]:
            params = dict({"RoleArn": self.role_arn(role), "RoleSessionName": "ok"}, **extra)
            response = error_of(loose.assume_role, **params)
            self.assertEqual(response["Error"]["Code"], "ValidationError", response)
            self.assertIn(words, response["Error"]["Message"])
        malformed = error_of(self.assume, role, Policy=json.dumps({"Statement": [{"Effect": "Allow"}]}))
        self.assertEqual(malformed["Error"]["Code"], "MalformedPolicyDocument")
        big = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % ("x" * 2100)}]}
        self.assertEqual(error_of(self.assume, role, Policy=json.dumps(big))["Error"]["Code"], "PackedPolicyTooLarge")

    def test_token_must_come_with_the_key(self):
        creds = dict(self.assume(self.new_role())["Credentials"])
        no_token = dict(creds, SessionToken=None)
        self.assertEqual(error_of(client_for("sts", no_token).get_caller_identity)["Error"]["Code"],
                         "InvalidClientTokenId")
        wrong = dict(creds, SessionToken=creds["SessionToken"][:-4] + "AAAA")
        self.assertEqual(error_of(client_for("s3", wrong).list_buckets)["Error"]["Code"], "InvalidAccessKeyId")
        self.assertEqual(error_of(client_for("lambda", wrong).list_functions)["Error"]["Code"],
                         "UnrecognizedClientException")


class ExpiryTests(StsTestCase):
    """AWS's shortest session lasts 15 minutes; these tests age one by rewriting its
    expiry in the managed server's database, which the server reads on every request."""

    def setUp(self):
        super().setUp()
        if not endpoint().managed:
            self.skipTest("needs a server managed by the fixture (CLOUDLESS_BIN)")

    def expire(self, key_id):
        with sqlite3.connect(os.path.join(endpoint().data_dir, "meta.db"), timeout=10) as db:
            changed = db.execute("UPDATE iam_sessions SET expires_ms = ? WHERE key_id = ?",
                                 (int(time.time() * 1000) - 1000, key_id)).rowcount
        self.assertEqual(changed, 1)

    def test_expired_credentials_in_every_service_shape(self):
        creds = self.assume(self.new_role(), "soon-gone")["Credentials"]
        bucket = unique_name("expiry")
        client("s3").create_bucket(Bucket=bucket)
        self.addCleanup(client("s3").delete_bucket, Bucket=bucket)
        url = client_for("s3", creds).generate_presigned_url("list_objects_v2", Params={"Bucket": bucket})
        endpoint().restart()                          # the session is durable
        client_for("sts", creds).get_caller_identity()
        self.expire(creds["AccessKeyId"])
        for service, call, code, status in [
                ("sts", lambda c: c.get_caller_identity(), "ExpiredToken", 403),
                ("iam", lambda c: c.list_users(), "ExpiredToken", 403),
                ("s3", lambda c: c.list_buckets(), "ExpiredToken", 400),
                ("sqs", lambda c: c.list_queues(), "ExpiredToken", 403),
                ("lambda", lambda c: c.list_functions(), "ExpiredTokenException", 403),
                ("logs", lambda c: c.describe_log_groups(), "ExpiredTokenException", 400)]:
            response = error_of(call, client_for(service, creds))
            self.assertEqual((service, response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]),
                             (service, code, status), response)
        self.assertEqual(error_of(client_for("s3", creds).list_buckets)["Error"]["Message"],
                         "The provided token has expired.")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(url)
        self.assertEqual(caught.exception.code, 400)
        self.assertIn(b"<Code>ExpiredToken</Code>", caught.exception.read())


class SessionTokenTests(StsTestCase):

    def test_get_session_token(self):
        root = self.sts.get_session_token()["Credentials"]
        lifetime = (root["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        self.assertTrue(3500 < lifetime <= 3600, lifetime)          # the root user's sessions last an hour
        self.assertEqual(client_for("sts", root).get_caller_identity()["Arn"], "arn:aws:iam::%s:root" % ACCOUNT)
        name, key = self.new_user_with_key()
        mine = client_for("sts", key).get_session_token(DurationSeconds=900)["Credentials"]
        self.assertEqual(client_for("sts", mine).get_caller_identity()["Arn"],
                         "arn:aws:iam::%s:user/%s" % (ACCOUNT, name))
        default = client_for("sts", key).get_session_token()["Credentials"]
        lifetime = (default["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        self.assertTrue(43000 < lifetime <= 43200, lifetime)
        refused = error_of(client_for("sts", mine).get_session_token)
        self.assertEqual((refused["Error"]["Code"], refused["Error"]["Message"]),
                         ("AccessDenied", "Cannot call GetSessionToken with session credentials"))
        self.assertEqual(error_of(client("sts", validate=False).get_session_token,
                                  DurationSeconds=130000)["Error"]["Code"], "ValidationError")


class WebIdentityTests(StsTestCase):

    def test_assume_role_with_web_identity(self):
        role = self.new_role(trust=web_identity_trust("repo:octo/app:*"))
        unsigned = client("sts", unsigned=True)
        token = jwt({"iss": "https://" + GITHUB, "sub": "repo:octo/app:ref:refs/heads/main",
                     "aud": "sts.amazonaws.com"})
        answer = unsigned.assume_role_with_web_identity(RoleArn=self.role_arn(role), RoleSessionName="gha",
                                                        WebIdentityToken=token, DurationSeconds=900)
        self.assertEqual(answer["SubjectFromWebIdentityToken"], "repo:octo/app:ref:refs/heads/main")
        self.assertEqual((answer["Provider"], answer["Audience"]), (GITHUB, "sts.amazonaws.com"))
        self.assertEqual(answer["AssumedRoleUser"]["Arn"], "arn:aws:sts::%s:assumed-role/%s/gha" % (ACCOUNT, role))
        self.assertEqual(client_for("sts", answer["Credentials"]).get_caller_identity()["Arn"],
                         answer["AssumedRoleUser"]["Arn"])
        other_repo = jwt({"iss": "https://" + GITHUB, "sub": "repo:evil/app:ref:refs/heads/main",
                          "aud": "sts.amazonaws.com"})
        denied = error_of(unsigned.assume_role_with_web_identity, RoleArn=self.role_arn(role),
                          RoleSessionName="gha", WebIdentityToken=other_repo)
        self.assertEqual((denied["Error"]["Code"], denied["Error"]["Message"]),
                         ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"))
        # A token that is no JWT carries no claims: any Federated principal takes it.
        opaque_role = self.new_role(trust={"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": "accounts.google.com"},
            "Action": "sts:AssumeRoleWithWebIdentity"}]})
        opaque = unsigned.assume_role_with_web_identity(RoleArn=self.role_arn(opaque_role), RoleSessionName="opaque",
                                                        WebIdentityToken="opaque-token-value")
        self.assertNotIn("SubjectFromWebIdentityToken", opaque)
        # Other actions still need a signature.
        self.assertEqual(error_of(unsigned.get_caller_identity)["Error"]["Code"], "MissingAuthenticationToken")


class CrossAccountTests(unittest.TestCase):
    """A role trusted by another account, on a server with that account's keys."""

    OTHER = "111122223333"

    @classmethod
    def setUpClass(cls):
        cls.server = OwnServer("cloudless-sts-", env={"CLOUDLESS_ACCESS_KEYS": "OTHERACCOUNTKEY12345:other-secret:%s"
                                                                               % cls.OTHER})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_another_account_assumes_a_trusted_role(self):
        iam = client("iam", url=self.server.url)
        iam.create_role(RoleName="shared", AssumeRolePolicyDocument=json.dumps(trust_for(self.OTHER)))
        iam.create_role(RoleName="private", AssumeRolePolicyDocument=json.dumps(ACCOUNT_TRUST))
        other = client("sts", access_key="OTHERACCOUNTKEY12345", secret_key="other-secret", url=self.server.url)
        self.assertEqual(other.get_caller_identity()["Account"], self.OTHER)
        answer = other.assume_role(RoleArn="arn:aws:iam::%s:role/shared" % ACCOUNT, RoleSessionName="visit")
        self.assertEqual(answer["AssumedRoleUser"]["Arn"], "arn:aws:sts::%s:assumed-role/shared/visit" % ACCOUNT)
        session = client_for("sts", answer["Credentials"], url=self.server.url)
        self.assertEqual(session.get_caller_identity()["Account"], ACCOUNT)
        denied = error_of(other.assume_role, RoleArn="arn:aws:iam::%s:role/private" % ACCOUNT, RoleSessionName="visit2")
        self.assertEqual(denied["Error"]["Code"], "AccessDenied")


@harness.interpreter_free_test
class StsCliTests(StsTestCase):

    def check_cli(self, binary):
        role = self.new_role(trust=trust_for("arn:aws:iam::%s:root" % ACCOUNT))
        identity = cli_json(binary, "sts", "get-caller-identity")
        self.assertEqual(identity["Arn"], "arn:aws:iam::%s:root" % ACCOUNT)
        answer = cli_json(binary, "sts", "assume-role", "--role-arn", self.role_arn(role), "--role-session-name",
                          "cli", "--duration-seconds", "900")
        me = cli_json(binary, "sts", "get-caller-identity", credentials=answer["Credentials"])
        self.assertEqual(me["Arn"], answer["AssumedRoleUser"]["Arn"])
        listed = cli(binary, "s3api", "list-buckets", credentials=answer["Credentials"])
        self.assertEqual(listed.returncode, 0, listed.stderr)
        web_role = self.new_role(trust=web_identity_trust("repo:octo/*"))
        token = jwt({"iss": "https://" + GITHUB, "sub": "repo:octo/cli", "aud": "sts.amazonaws.com"})
        web = cli_json(binary, "sts", "assume-role-with-web-identity", "--role-arn", self.role_arn(web_role),
                       "--role-session-name", "cli-web", "--web-identity-token", token)
        self.assertEqual(web["SubjectFromWebIdentityToken"], "repo:octo/cli")
        denied = cli(binary, "sts", "assume-role", "--role-arn", self.role_arn("no-such-role"), "--role-session-name",
                     "nope")
        self.assertNotEqual(denied.returncode, 0)
        self.assertIn("AccessDenied", denied.stderr)

    def test_aws_cli_v1(self):
        self.check_cli(harness.AWS_CLI_V1)

    def test_aws_cli_v2(self):
        self.check_cli(harness.AWS_CLI_V2)


class WireTests(StsTestCase):

    def test_query_protocol_answers(self):
        response = signed_query("sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"})
        self.assertEqual(response.status, 200)
        self.assertIn(b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">', response.body)
        self.assertIn(b"<RequestId>", response.body)
        missing = signed_query("sts", {"Version": "2011-06-15"})
        self.assertEqual((missing.status, missing.error_code()), (400, None))
        self.assertIn(b"<Code>MissingAction</Code>", missing.body)
        unknown = signed_query("sts", {"Action": "GetFederationToken", "Version": "2011-06-15", "Name": "x"})
        self.assertEqual(unknown.status, 501)
        self.assertIn(b"<Code>NotImplemented</Code>", unknown.body)
        wrong_scope = signed_query("sts", {"Action": "ListUsers", "Version": "2010-05-08"})
        self.assertEqual(wrong_scope.status, 501)     # STS has no ListUsers
