"""IAM through real clients (boto3 of either version, aws-cli v1 and v2): users, groups,
roles, managed policies and their versions, inline policies, attachments, permissions
boundaries, instance profiles, access keys (and requests signed with them), tags,
service-linked roles, GetAccountAuthorizationDetails, the policy simulator, paging
(Marker, MaxItems, IsTruncated) and AWS's errors, quotas and validation messages.
"""
import json
import urllib.parse
import xml.etree.ElementTree as ElementTree

import harness
from iam_support import (ACCOUNT, ACCOUNT_TRUST, AWS_LAMBDA_BASIC, LAMBDA_TRUST, READ_BUCKET, IamTestCase, cli,
                         cli_json, client, client_for, error_of, signed_query, unique_name)

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


class UserTests(IamTestCase):

    def test_user_lifecycle(self):
        name = unique_name("user")
        user = self.iam.create_user(UserName=name, Path="/team/", Tags=[{"Key": "team", "Value": "a"}],
                                    PermissionsBoundary=AWS_LAMBDA_BASIC)["User"]
        self.assertEqual(user["Arn"], "arn:aws:iam::%s:user/team/%s" % (ACCOUNT, name))
        self.assertTrue(user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21)
        self.assertEqual(user["PermissionsBoundary"]["PermissionsBoundaryArn"], AWS_LAMBDA_BASIC)
        self.assertIamError(self.iam.create_user, "EntityAlreadyExists", 409, UserName=name.upper(),
                            message="User with name %s already exists." % name.upper())
        got = self.iam.get_user(UserName=name.upper())["User"]
        self.assertEqual((got["UserName"], got["Path"], got["Tags"]), (name, "/team/", [{"Key": "team", "Value": "a"}]))
        listed = self.iam.list_users(PathPrefix="/team/")["Users"]
        self.assertIn(name, [u["UserName"] for u in listed])
        self.assertNotIn("Tags", [u for u in listed if u["UserName"] == name][0])
        self.iam.update_user(UserName=name, NewUserName=name + "-x", NewPath="/moved/")
        self.assertIamError(self.iam.get_user, "NoSuchEntity", 404, UserName=name,
                            message="The user with name %s cannot be found." % name)
        self.assertEqual(self.iam.get_user(UserName=name + "-x")["User"]["Arn"],
                         "arn:aws:iam::%s:user/moved/%s-x" % (ACCOUNT, name))
        self.iam.delete_user_permissions_boundary(UserName=name + "-x")
        self.assertNotIn("PermissionsBoundary", self.iam.get_user(UserName=name + "-x")["User"])
        self.iam.delete_user(UserName=name + "-x")
        self.assertIamError(self.iam.delete_user, "NoSuchEntity", 404, UserName=name + "-x")

    def test_get_user_of_the_caller(self):
        root = self.iam.get_user()["User"]
        self.assertEqual((root["UserId"], root["Arn"]), (ACCOUNT, "arn:aws:iam::%s:root" % ACCOUNT))
        name, key = self.new_user_with_key()
        self.assertEqual(client_for("iam", key).get_user()["User"]["UserName"], name)

    def test_validation_errors(self):
        self.assertIamError(self.iam.create_user, "ValidationError", 400, UserName="bad name",
                            message="Member must satisfy regular expression pattern: [\\w+=,.@-]+")
        self.assertIamError(self.iam.create_user, "ValidationError", 400, UserName="u" * 65,
                            message="Member must have length less than or equal to 64")
        self.assertIamError(self.iam.create_user, "ValidationError", 400, UserName=unique_name("p"), Path="nopath")
        self.assertIamError(client("iam", validate=False).list_users, "ValidationError", 400, MaxItems=0,
                            message="Member must have value greater than or equal to 1")
        self.assertIamError(self.iam.create_user, "ValidationError", 400, UserName=unique_name("t"),
                            Tags=[{"Key": "bad*key", "Value": "v"}])

    def test_paging_users(self):
        path = "/%s/" % unique_name("page")
        names = sorted(self.new_user("pg%d" % i, Path=path) for i in range(5))
        first = self.iam.list_users(PathPrefix=path, MaxItems=2)
        self.assertTrue(first["IsTruncated"])
        self.assertEqual([u["UserName"] for u in first["Users"]], names[:2])
        second = self.iam.list_users(PathPrefix=path, MaxItems=2, Marker=first["Marker"])
        self.assertEqual([u["UserName"] for u in second["Users"]], names[2:4])
        pages = list(self.iam.get_paginator("list_users").paginate(PathPrefix=path, PaginationConfig={"PageSize": 2}))
        self.assertEqual(len(pages), 3)
        self.assertEqual([u["UserName"] for p in pages for u in p["Users"]], names)
        self.assertFalse(pages[-1]["IsTruncated"])

    def test_delete_conflicts(self):
        name = self.new_user()
        group = self.new_group()
        self.iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(READ_BUCKET))
        self.assertIamError(self.iam.delete_user, "DeleteConflict", 409, UserName=name,
                            message="Cannot delete entity, must delete policies first.")
        self.iam.delete_user_policy(UserName=name, PolicyName="p")
        self.iam.attach_user_policy(UserName=name, PolicyArn=AWS_LAMBDA_BASIC)
        self.assertIamError(self.iam.delete_user, "DeleteConflict", 409, UserName=name,
                            message="must detach all policies first")
        self.iam.detach_user_policy(UserName=name, PolicyArn=AWS_LAMBDA_BASIC)
        key = self.iam.create_access_key(UserName=name)["AccessKey"]
        self.assertIamError(self.iam.delete_user, "DeleteConflict", 409, UserName=name,
                            message="must delete access keys first")
        self.iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        self.iam.add_user_to_group(GroupName=group, UserName=name)
        self.assertIamError(self.iam.delete_user, "DeleteConflict", 409, UserName=name)
        self.assertIamError(self.iam.delete_group, "DeleteConflict", 409, GroupName=group,
                            message="Cannot delete entity, must remove users from group first.")
        self.iam.remove_user_from_group(GroupName=group, UserName=name)
        self.iam.delete_user(UserName=name)


class GroupTests(IamTestCase):

    def test_groups_and_membership(self):
        group = self.new_group(Path="/teams/")
        users = sorted(self.new_user("member%d" % i) for i in range(3))
        for user in users:
            self.iam.add_user_to_group(GroupName=group, UserName=user)
        self.iam.add_user_to_group(GroupName=group, UserName=users[0])
        got = self.iam.get_group(GroupName=group, MaxItems=2)
        self.assertEqual(got["Group"]["Arn"], "arn:aws:iam::%s:group/teams/%s" % (ACCOUNT, group))
        self.assertTrue(got["Group"]["GroupId"].startswith("AGPA"))
        self.assertEqual([u["UserName"] for u in got["Users"]], users[:2])
        self.assertTrue(got["IsTruncated"])
        rest = self.iam.get_group(GroupName=group, Marker=got["Marker"])
        self.assertEqual([u["UserName"] for u in rest["Users"]], users[2:])
        self.assertEqual([g["GroupName"] for g in self.iam.list_groups_for_user(UserName=users[1])["Groups"]], [group])
        self.assertIn(group, [g["GroupName"] for g in self.iam.list_groups(PathPrefix="/teams/")["Groups"]])
        self.iam.remove_user_from_group(GroupName=group, UserName=users[1])
        self.assertEqual(self.iam.list_groups_for_user(UserName=users[1])["Groups"], [])
        self.assertIamError(self.iam.add_user_to_group, "NoSuchEntity", 404, GroupName=group, UserName="nobody-here",
                            message="The user with name nobody-here cannot be found.")
        self.assertIamError(self.iam.get_group, "NoSuchEntity", 404, GroupName="no-such-group",
                            message="The group with name no-such-group cannot be found.")
        self.iam.update_group(GroupName=group, NewGroupName=group + "-r")
        self.addCleanup(self.iam.delete_group, GroupName=group + "-r")
        self.addCleanup(self.iam.remove_user_from_group, GroupName=group + "-r", UserName=users[0])
        self.addCleanup(self.iam.remove_user_from_group, GroupName=group + "-r", UserName=users[2])
        self.assertEqual(self.iam.list_groups_for_user(UserName=users[0])["Groups"][0]["GroupName"], group + "-r")

    def test_groups_per_user_quota(self):
        user = self.new_user()
        for i in range(10):
            self.iam.add_user_to_group(GroupName=self.new_group("q%d" % i), UserName=user)
        self.assertIamError(self.iam.add_user_to_group, "LimitExceeded", 409, GroupName=self.new_group("q10"),
                            UserName=user, message="Cannot exceed quota for GroupsPerUser: 10")


class RoleTests(IamTestCase):

    def test_role_lifecycle(self):
        name = unique_name("role")
        trust = json.dumps(LAMBDA_TRUST, indent=2)
        role = self.iam.create_role(RoleName=name, Path="/service/", AssumeRolePolicyDocument=trust,
                                    Description="runs the function", MaxSessionDuration=7200,
                                    Tags=[{"Key": "Env", "Value": "test"}])["Role"]
        self.addCleanup(self.iam.delete_role, RoleName=name)
        self.assertEqual(role["Arn"], "arn:aws:iam::%s:role/service/%s" % (ACCOUNT, name))
        self.assertTrue(role["RoleId"].startswith("AROA"))
        self.assertEqual(role["AssumeRolePolicyDocument"], LAMBDA_TRUST)   # botocore URL-decodes it
        got = self.iam.get_role(RoleName=name)["Role"]
        self.assertEqual((got["Description"], got["MaxSessionDuration"], got["Tags"]),
                         ("runs the function", 7200, [{"Key": "Env", "Value": "test"}]))
        self.assertIn("RoleLastUsed", got)
        self.iam.update_role(RoleName=name, Description="new words", MaxSessionDuration=3600)
        self.assertEqual(self.iam.get_role(RoleName=name)["Role"]["MaxSessionDuration"], 3600)
        updated = self.iam.update_role_description(RoleName=name, Description="newer")["Role"]
        self.assertEqual(updated["Description"], "newer")
        self.iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(ACCOUNT_TRUST))
        self.assertEqual(self.iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"], ACCOUNT_TRUST)
        self.assertIn(name, [r["RoleName"] for r in self.iam.list_roles(PathPrefix="/service/")["Roles"]])

    def test_documents_are_url_encoded_on_the_wire(self):
        trust = json.dumps(LAMBDA_TRUST, indent=1)
        name = self.new_role(trust=json.loads(trust))
        response = signed_query("iam", {"Action": "GetRole", "Version": "2010-05-08", "RoleName": name})
        self.assertEqual(response.status, 200, response.body)
        ns = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/"}
        document = ElementTree.fromstring(response.body).find(".//iam:AssumeRolePolicyDocument", ns).text
        self.assertIn("%7B", document)
        self.assertEqual(json.loads(urllib.parse.unquote(document)), LAMBDA_TRUST)

    def test_trust_policy_checks(self):
        bad_cases = [
            ("{not json", "Syntax errors in policy."),
            (json.dumps({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}),
             "Missing required field Principal"),
            (json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                                        "Resource": "*"}]}), "Has prohibited field Resource."),
            (json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}),
             "Trust Policy statement actions can only be"),
        ]
        for document, message in bad_cases:
            self.assertIamError(self.iam.create_role, "MalformedPolicyDocument", 400, RoleName=unique_name("bad"),
                                AssumeRolePolicyDocument=document, message=message)
        big = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                       "Action": "sts:AssumeRole",
                                                       "Condition": {"StringEquals": {"sts:ExternalId": "x" * 2100}}}]}
        self.assertIamError(self.iam.create_role, "LimitExceeded", 409, RoleName=unique_name("big"),
                            AssumeRolePolicyDocument=json.dumps(big), message="ACLSizePerRole: 2048")
        self.assertIamError(client("iam", validate=False).create_role, "ValidationError", 400,
                            RoleName=unique_name("max"),
                            AssumeRolePolicyDocument=json.dumps(ACCOUNT_TRUST), MaxSessionDuration=60,
                            message="maxSessionDuration")

    def test_role_delete_conflicts(self):
        name = self.new_role()
        profile = unique_name("profile")
        self.iam.create_instance_profile(InstanceProfileName=profile)
        self.iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=name)
        self.assertIamError(self.iam.delete_role, "DeleteConflict", 409, RoleName=name,
                            message="must remove roles from instance profile first")
        self.iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=name)
        self.iam.delete_instance_profile(InstanceProfileName=profile)
        self.iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(READ_BUCKET))
        self.assertIamError(self.iam.delete_role, "DeleteConflict", 409, RoleName=name)


class ManagedPolicyTests(IamTestCase):

    def test_policy_versions(self):
        arn = self.new_policy(Path="/app/", Description="reads b", Tags=[{"Key": "k", "Value": "v"}])
        policy = self.iam.get_policy(PolicyArn=arn)["Policy"]
        self.assertEqual((policy["DefaultVersionId"], policy["Path"], policy["Description"], policy["AttachmentCount"]),
                         ("v1", "/app/", "reads b", 0))
        self.assertTrue(policy["PolicyId"].startswith("ANPA"))
        self.assertEqual(policy["Tags"], [{"Key": "k", "Value": "v"}])
        v1 = self.iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
        self.assertEqual(v1["Document"], READ_BUCKET)
        self.assertTrue(v1["IsDefaultVersion"])
        created = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(ALLOW_ALL),
                                                 SetAsDefault=True)["PolicyVersion"]
        self.assertEqual((created["VersionId"], created["IsDefaultVersion"]), ("v2", True))
        for _ in range(3):
            self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(READ_BUCKET))
        self.assertIamError(self.iam.create_policy_version, "LimitExceeded", 409, PolicyArn=arn,
                            PolicyDocument=json.dumps(READ_BUCKET), message="up to 5 versions")
        versions = self.iam.list_policy_versions(PolicyArn=arn)["Versions"]
        self.assertEqual([v["VersionId"] for v in versions], ["v5", "v4", "v3", "v2", "v1"])
        self.assertEqual([v["VersionId"] for v in versions if v["IsDefaultVersion"]], ["v2"])
        paged = self.iam.list_policy_versions(PolicyArn=arn, MaxItems=2)
        self.assertTrue(paged["IsTruncated"])
        more = self.iam.list_policy_versions(PolicyArn=arn, Marker=paged["Marker"])["Versions"]
        self.assertEqual([v["VersionId"] for v in more], ["v3", "v2", "v1"])
        self.assertIamError(self.iam.delete_policy_version, "DeleteConflict", 409, PolicyArn=arn, VersionId="v2",
                            message="Cannot delete the default version of a policy.")
        self.iam.set_default_policy_version(PolicyArn=arn, VersionId="v4")
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v4")
        self.iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
        self.assertIamError(self.iam.get_policy_version, "NoSuchEntity", 404, PolicyArn=arn, VersionId="v2")
        self.assertIamError(self.iam.get_policy_version, "ValidationError", 400, PolicyArn=arn, VersionId="version2")
        self.assertIamError(self.iam.delete_policy, "DeleteConflict", 409, PolicyArn=arn,
                            message="more than one version")

    def test_policy_documents_are_checked(self):
        cases = [
            ("{}", "Syntax errors in policy."),
            (json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}),
             "Policy document should not specify a principal."),
            (json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}),
             "Policy statement must contain resources."),
            (json.dumps({"Statement": [{"Effect": "Allow", "Resource": "*"}]}), "Policy statement must contain actions."),
            (json.dumps({"Statement": [{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}]}),
             "Actions/Conditions must be prefaced by a vendor"),
        ]
        for document, message in cases:
            self.assertIamError(self.iam.create_policy, "MalformedPolicyDocument", 400, PolicyName=unique_name("bad"),
                                PolicyDocument=document, message=message)
        huge = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % ("b" * 100 + str(i))}
            for i in range(60)]}
        self.assertIamError(self.iam.create_policy, "LimitExceeded", 409, PolicyName=unique_name("huge"),
                            PolicyDocument=json.dumps(huge), message="PolicySize: 6144")
        arn = self.new_policy()
        name = arn.rsplit("/", 1)[1]
        self.assertIamError(self.iam.create_policy, "EntityAlreadyExists", 409, PolicyName=name,
                            PolicyDocument=json.dumps(READ_BUCKET),
                            message="A policy called %s already exists. Duplicate names are not allowed." % name)

    def test_list_policies_and_entities(self):
        arn = self.new_policy(Path="/scoped/")
        role = self.new_role()
        user = self.new_user()
        group = self.new_group()
        self.iam.attach_role_policy(RoleName=role, PolicyArn=arn)
        self.iam.attach_user_policy(UserName=user, PolicyArn=arn)
        self.iam.attach_group_policy(GroupName=group, PolicyArn=arn)
        self.iam.attach_role_policy(RoleName=role, PolicyArn=AWS_LAMBDA_BASIC)
        local = self.iam.list_policies(Scope="Local", PathPrefix="/scoped/")["Policies"]
        self.assertIn(arn, [p["Arn"] for p in local])
        self.assertEqual([p["AttachmentCount"] for p in local if p["Arn"] == arn], [3])
        aws = [p["Arn"] for p in self.iam.get_paginator("list_policies").paginate(
            Scope="AWS", PaginationConfig={"PageSize": 3}).build_full_result()["Policies"]]
        self.assertIn(AWS_LAMBDA_BASIC, aws)
        self.assertNotIn(arn, aws)
        attached = [p["Arn"] for p in self.iam.list_policies(OnlyAttached=True, MaxItems=1000)["Policies"]]
        self.assertIn(arn, attached)
        self.assertIn(AWS_LAMBDA_BASIC, attached)
        self.assertNotIn("arn:aws:iam::aws:policy/AdministratorAccess", attached)
        self.assertIamError(self.iam.list_policies, "ValidationError", 400, Scope="Everything")
        entities = self.iam.list_entities_for_policy(PolicyArn=arn)
        self.assertEqual([r["RoleName"] for r in entities["PolicyRoles"]], [role])
        self.assertEqual([u["UserName"] for u in entities["PolicyUsers"]], [user])
        self.assertEqual([g["GroupName"] for g in entities["PolicyGroups"]], [group])
        only_roles = self.iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
        self.assertEqual((len(only_roles["PolicyRoles"]), only_roles["PolicyUsers"]), (1, []))
        first = self.iam.list_entities_for_policy(PolicyArn=arn, MaxItems=2)
        self.assertTrue(first["IsTruncated"])
        rest = self.iam.list_entities_for_policy(PolicyArn=arn, Marker=first["Marker"])
        self.assertEqual(len(first["PolicyUsers"] + first["PolicyGroups"] + first["PolicyRoles"]) +
                         len(rest["PolicyUsers"] + rest["PolicyGroups"] + rest["PolicyRoles"]), 3)
        self.assertIamError(self.iam.delete_policy, "DeleteConflict", 409, PolicyArn=arn,
                            message="Cannot delete a policy attached to entities.")

    def test_aws_managed_policies(self):
        policy = self.iam.get_policy(PolicyArn=AWS_LAMBDA_BASIC)["Policy"]
        self.assertEqual((policy["PolicyName"], policy["Path"]), ("AWSLambdaBasicExecutionRole", "/service-role/"))
        version = self.iam.get_policy_version(PolicyArn=AWS_LAMBDA_BASIC,
                                              VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        self.assertIn("logs:PutLogEvents", json.dumps(version["Document"]))
        self.assertIamError(self.iam.get_policy, "NoSuchEntity", 404,
                            PolicyArn="arn:aws:iam::aws:policy/NoSuchManagedPolicy")
        self.assertIamError(self.iam.delete_policy, "InvalidInput", 400, PolicyArn=AWS_LAMBDA_BASIC)
        self.assertIamError(self.iam.get_policy, "NoSuchEntity", 404,
                            PolicyArn="arn:aws:iam::111122223333:policy/other-accounts")


class InlinePolicyTests(IamTestCase):

    def check_inline(self, kind, owner, put, get, listing, delete):
        member = {"user": "UserName", "group": "GroupName", "role": "RoleName"}[kind]
        for i in range(3):
            put(**{member: owner, "PolicyName": "p%d" % i, "PolicyDocument": json.dumps(READ_BUCKET)})
        got = get(**{member: owner, "PolicyName": "P1"})
        self.assertEqual((got[member], got["PolicyName"], got["PolicyDocument"]), (owner, "p1", READ_BUCKET))
        first = listing(**{member: owner, "MaxItems": 2})
        self.assertEqual((first["PolicyNames"], first["IsTruncated"]), (["p0", "p1"], True))
        self.assertEqual(listing(**{member: owner, "Marker": first["Marker"]})["PolicyNames"], ["p2"])
        delete(**{member: owner, "PolicyName": "p0"})
        self.assertIamError(get, "NoSuchEntity", 404, **{member: owner, "PolicyName": "p0"},
                            message="The %s policy with name p0 cannot be found." % kind)
        self.assertIamError(put, "NoSuchEntity", 404, **{member: "nobody", "PolicyName": "p",
                                                          "PolicyDocument": json.dumps(READ_BUCKET)})
        self.assertIamError(put, "MalformedPolicyDocument", 400, **{member: owner, "PolicyName": "p",
                                                                     "PolicyDocument": "[]"})

    def test_user_group_role_policies(self):
        self.check_inline("user", self.new_user(), self.iam.put_user_policy, self.iam.get_user_policy,
                          self.iam.list_user_policies, self.iam.delete_user_policy)
        self.check_inline("group", self.new_group(), self.iam.put_group_policy, self.iam.get_group_policy,
                          self.iam.list_group_policies, self.iam.delete_group_policy)
        self.check_inline("role", self.new_role(), self.iam.put_role_policy, self.iam.get_role_policy,
                          self.iam.list_role_policies, self.iam.delete_role_policy)

    def test_aggregate_size_quota(self):
        user = self.new_user()
        document = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % ("x" * 1100)}]}
        self.iam.put_user_policy(UserName=user, PolicyName="one", PolicyDocument=json.dumps(document))
        self.assertIamError(self.iam.put_user_policy, "LimitExceeded", 409, UserName=user, PolicyName="two",
                            PolicyDocument=json.dumps(document),
                            message="Maximum policy size of 2048 bytes exceeded for user %s" % user)
        role = self.new_role()
        for name in ("one", "two"):
            self.iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))


class AttachmentTests(IamTestCase):

    def test_attach_detach_list(self):
        arn = self.new_policy(Path="/app/")
        for kind, owner, attach, detach, listing in [
                ("User", self.new_user(), self.iam.attach_user_policy, self.iam.detach_user_policy,
                 self.iam.list_attached_user_policies),
                ("Group", self.new_group(), self.iam.attach_group_policy, self.iam.detach_group_policy,
                 self.iam.list_attached_group_policies),
                ("Role", self.new_role(), self.iam.attach_role_policy, self.iam.detach_role_policy,
                 self.iam.list_attached_role_policies)]:
            member = kind + "Name"
            attach(**{member: owner, "PolicyArn": arn})
            attach(**{member: owner, "PolicyArn": AWS_LAMBDA_BASIC})
            attach(**{member: owner, "PolicyArn": arn})
            listed = listing(**{member: owner})["AttachedPolicies"]
            self.assertEqual(sorted(p["PolicyArn"] for p in listed), sorted([arn, AWS_LAMBDA_BASIC]))
            self.assertEqual(listing(**{member: owner, "PathPrefix": "/app/"})["AttachedPolicies"],
                             [{"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn}])
            paged = listing(**{member: owner, "MaxItems": 1})
            self.assertTrue(paged["IsTruncated"])
            self.assertEqual(len(listing(**{member: owner, "Marker": paged["Marker"]})["AttachedPolicies"]), 1)
            self.assertIamError(attach, "NoSuchEntity", 404, **{member: owner,
                                                                "PolicyArn": "arn:aws:iam::%s:policy/none" % ACCOUNT},
                                message="does not exist or is not attachable")
            detach(**{member: owner, "PolicyArn": arn})
            self.assertIamError(detach, "NoSuchEntity", 404, **{member: owner, "PolicyArn": arn})

    def test_attachment_quota(self):
        role = self.new_role()
        arns = [self.new_policy(label="q%d" % i) for i in range(11)]
        for arn in arns[:10]:
            self.iam.attach_role_policy(RoleName=role, PolicyArn=arn)
        self.assertIamError(self.iam.attach_role_policy, "LimitExceeded", 409, RoleName=role, PolicyArn=arns[10],
                            message="Cannot exceed quota for PoliciesPerRole: 10")


class BoundaryAndProfileTests(IamTestCase):

    def test_permissions_boundaries(self):
        role = self.new_role()
        user = self.new_user()
        arn = self.new_policy()
        self.iam.put_role_permissions_boundary(RoleName=role, PermissionsBoundary=arn)
        self.iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=AWS_LAMBDA_BASIC)
        self.assertEqual(self.iam.get_role(RoleName=role)["Role"]["PermissionsBoundary"],
                         {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn})
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"], 1)
        self.assertEqual([r["RoleName"] for r in self.iam.list_entities_for_policy(
            PolicyArn=arn, PolicyUsageFilter="PermissionsBoundary")["PolicyRoles"]], [role])
        self.assertIamError(self.iam.put_role_permissions_boundary, "NoSuchEntity", 404, RoleName=role,
                            PermissionsBoundary="arn:aws:iam::%s:policy/missing" % ACCOUNT)
        self.iam.delete_role_permissions_boundary(RoleName=role)
        self.iam.delete_user_permissions_boundary(UserName=user)
        self.assertNotIn("PermissionsBoundary", self.iam.get_role(RoleName=role)["Role"])

    def test_instance_profiles(self):
        role = self.new_role()
        other = self.new_role()
        name = unique_name("profile")
        profile = self.iam.create_instance_profile(InstanceProfileName=name, Path="/ec2/",
                                                   Tags=[{"Key": "a", "Value": "b"}])["InstanceProfile"]
        self.addCleanup(self.iam.delete_instance_profile, InstanceProfileName=name)
        self.assertEqual((profile["Arn"], profile["Roles"]),
                         ("arn:aws:iam::%s:instance-profile/ec2/%s" % (ACCOUNT, name), []))
        self.assertTrue(profile["InstanceProfileId"].startswith("AIPA"))
        self.iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)
        self.assertIamError(self.iam.add_role_to_instance_profile, "LimitExceeded", 409, InstanceProfileName=name,
                            RoleName=other, message="InstanceSessionsPerInstanceProfile: 1")
        got = self.iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
        self.assertEqual([r["RoleName"] for r in got["Roles"]], [role])
        self.assertEqual(got["Tags"], [{"Key": "a", "Value": "b"}])
        self.assertEqual([p["InstanceProfileName"] for p in
                          self.iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]], [name])
        self.assertIn(name, [p["InstanceProfileName"] for p in
                             self.iam.list_instance_profiles(PathPrefix="/ec2/")["InstanceProfiles"]])
        self.assertIamError(self.iam.delete_instance_profile, "DeleteConflict", 409, InstanceProfileName=name)
        self.iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role)
        self.assertIamError(self.iam.remove_role_from_instance_profile, "NoSuchEntity", 404,
                            InstanceProfileName=name, RoleName=role)
        self.assertIamError(self.iam.get_instance_profile, "NoSuchEntity", 404, InstanceProfileName="no-profile",
                            message="Instance Profile no-profile cannot be found.")


class AccessKeyTests(IamTestCase):

    def test_keys_sign_as_their_user(self):
        name, key = self.new_user_with_key()
        self.assertTrue(key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20)
        self.assertEqual((key["UserName"], key["Status"], len(key["SecretAccessKey"])), (name, "Active", 40))
        identity = client_for("sts", key).get_caller_identity()
        self.assertEqual((identity["Arn"], identity["Account"]), ("arn:aws:iam::%s:user/%s" % (ACCOUNT, name), ACCOUNT))
        s3 = client_for("s3", key)
        bucket = unique_name("keybucket")
        s3.create_bucket(Bucket=bucket)
        self.addCleanup(client("s3").delete_bucket, Bucket=bucket)
        self.assertIn(bucket, [b["Name"] for b in client("s3").list_buckets()["Buckets"]])   # the same account
        used = self.iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
        self.assertEqual(used["UserName"], name)
        self.assertIn(used["AccessKeyLastUsed"]["ServiceName"], ("sts", "s3"))
        self.assertIn("LastUsedDate", used["AccessKeyLastUsed"])
        # The user manages its own keys without naming itself.
        own = client_for("iam", key)
        self.assertEqual([k["AccessKeyId"] for k in own.list_access_keys()["AccessKeyMetadata"]], [key["AccessKeyId"]])
        second = own.create_access_key()["AccessKey"]
        self.assertEqual(second["UserName"], name)
        self.assertIamError(own.create_access_key, "LimitExceeded", 409,
                            message="Cannot exceed quota for AccessKeysPerUser: 2")
        own.delete_access_key(AccessKeyId=second["AccessKeyId"])

    def test_inactive_and_deleted_keys_are_refused(self):
        name, key = self.new_user_with_key()
        fresh = self.iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
        self.assertEqual((fresh["ServiceName"], fresh["Region"]), ("N/A", "N/A"))
        self.iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
        self.assertEqual(self.iam.list_access_keys(UserName=name)["AccessKeyMetadata"][0]["Status"], "Inactive")
        response = error_of(client_for("sts", key).get_caller_identity)
        self.assertEqual(response["Error"]["Code"], "InvalidClientTokenId")
        self.assertEqual(error_of(client_for("s3", key).list_buckets)["Error"]["Code"], "InvalidAccessKeyId")
        self.iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Active")
        client_for("sts", key).get_caller_identity()
        self.assertIamError(self.iam.update_access_key, "ValidationError", 400, UserName=name,
                            AccessKeyId=key["AccessKeyId"], Status="Paused")
        self.iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        self.assertIamError(self.iam.delete_access_key, "NoSuchEntity", 404, UserName=name,
                            AccessKeyId=key["AccessKeyId"], message="The Access Key with id %s cannot be found." %
                            key["AccessKeyId"])
        self.assertEqual(error_of(client_for("sqs", key).list_queues)["Error"]["Code"], "InvalidClientTokenId")

    def test_wrong_secret_is_a_signature_mismatch(self):
        _, key = self.new_user_with_key()
        wrong = dict(key, SecretAccessKey="x" * 40)
        self.assertEqual(error_of(client_for("sts", wrong).get_caller_identity)["Error"]["Code"],
                         "SignatureDoesNotMatch")
        self.assertEqual(error_of(client_for("s3", wrong).list_buckets)["Error"]["Code"], "SignatureDoesNotMatch")


class TagTests(IamTestCase):

    def test_tags_of_every_taggable_kind(self):
        user, role, arn = self.new_user(), self.new_role(), self.new_policy()
        profile = unique_name("profile")
        self.iam.create_instance_profile(InstanceProfileName=profile)
        self.addCleanup(self.iam.delete_instance_profile, InstanceProfileName=profile)
        cases = [(self.iam.tag_user, self.iam.untag_user, self.iam.list_user_tags, {"UserName": user}, True),
                 (self.iam.tag_role, self.iam.untag_role, self.iam.list_role_tags, {"RoleName": role}, True),
                 (self.iam.tag_policy, self.iam.untag_policy, self.iam.list_policy_tags, {"PolicyArn": arn}, False),
                 (self.iam.tag_instance_profile, self.iam.untag_instance_profile, self.iam.list_instance_profile_tags,
                  {"InstanceProfileName": profile}, False)]
        for tag, untag, listing, target, nocase in cases:
            tag(Tags=[{"Key": "Team", "Value": "a"}, {"Key": "env", "Value": "dev"}], **target)
            tag(Tags=[{"Key": "team", "Value": "b"}], **target)
            keys = sorted((t["Key"], t["Value"]) for t in listing(**target)["Tags"])
            self.assertEqual(keys, [("env", "dev"), ("team", "b")] if nocase else
                             [("Team", "a"), ("env", "dev"), ("team", "b")])
            first = listing(MaxItems=1, **target)
            self.assertTrue(first["IsTruncated"])
            self.assertEqual(len(listing(Marker=first["Marker"], **target)["Tags"]), len(keys) - 1)
            untag(TagKeys=["env", "nothing"], **target)
            self.assertNotIn("env", [t["Key"] for t in listing(**target)["Tags"]])
        self.assertIamError(self.iam.tag_user, "LimitExceeded", 409, UserName=user,
                            Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(50)])
        self.assertIamError(self.iam.tag_user, "InvalidInput", 400, UserName=user, Tags=[{"Key": "aws:x", "Value": "v"}])
        self.assertIamError(self.iam.tag_user, "NoSuchEntity", 404, UserName="nobody-tagged",
                            Tags=[{"Key": "k", "Value": "v"}])
        self.assertIamError(self.iam.tag_policy, "InvalidInput", 400, PolicyArn=AWS_LAMBDA_BASIC,
                            Tags=[{"Key": "k", "Value": "v"}])


class ServiceLinkedRoleTests(IamTestCase):

    def test_service_linked_roles(self):
        suffix = unique_name("s")
        role = self.iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com",
                                                   CustomSuffix=suffix, Description="beanstalk")["Role"]
        self.assertEqual(role["RoleName"], "AWSServiceRoleForElasticBeanstalk_" + suffix)
        self.assertEqual(role["Path"], "/aws-service-role/elasticbeanstalk.amazonaws.com/")
        self.assertEqual(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
                         {"Service": ["elasticbeanstalk.amazonaws.com"]})
        self.assertIamError(self.iam.create_service_linked_role, "InvalidInput", 400,
                            AWSServiceName="elasticbeanstalk.amazonaws.com", CustomSuffix=suffix,
                            message="has been taken in this account")
        self.assertIamError(self.iam.delete_role, "UnmodifiableEntity", 400, RoleName=role["RoleName"])
        self.assertIamError(self.iam.update_assume_role_policy, "UnmodifiableEntity", 400, RoleName=role["RoleName"],
                            PolicyDocument=json.dumps(ACCOUNT_TRUST))
        task = self.iam.delete_service_linked_role(RoleName=role["RoleName"])["DeletionTaskId"]
        self.assertTrue(task.startswith("task/aws-service-role/elasticbeanstalk.amazonaws.com/"))
        self.assertEqual(self.iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"], "SUCCEEDED")
        self.assertIamError(self.iam.get_role, "NoSuchEntity", 404, RoleName=role["RoleName"])
        self.assertIamError(self.iam.get_service_linked_role_deletion_status, "NoSuchEntity", 404,
                            DeletionTaskId="task/none")
        self.assertIamError(self.iam.create_service_linked_role, "InvalidInput", 400, AWSServiceName="example.com")
        ordinary = self.new_role()
        self.assertIamError(self.iam.delete_service_linked_role, "InvalidInput", 400, RoleName=ordinary)


class AccountDetailsTests(IamTestCase):

    def test_authorization_details(self):
        user, group, role = self.new_user(), self.new_group(), self.new_role()
        arn = self.new_policy()
        self.iam.add_user_to_group(GroupName=group, UserName=user)
        self.iam.put_user_policy(UserName=user, PolicyName="inline", PolicyDocument=json.dumps(READ_BUCKET))
        self.iam.attach_group_policy(GroupName=group, PolicyArn=arn)
        self.iam.attach_role_policy(RoleName=role, PolicyArn=AWS_LAMBDA_BASIC)
        details = self.iam.get_paginator("get_account_authorization_details").paginate(
            PaginationConfig={"PageSize": 2}).build_full_result()
        users = {u["UserName"]: u for u in details["UserDetailList"]}
        self.assertEqual(users[user]["GroupList"], [group])
        self.assertEqual(users[user]["UserPolicyList"], [{"PolicyName": "inline", "PolicyDocument": READ_BUCKET}])
        groups = {g["GroupName"]: g for g in details["GroupDetailList"]}
        self.assertEqual([p["PolicyArn"] for p in groups[group]["AttachedManagedPolicies"]], [arn])
        roles = {r["RoleName"]: r for r in details["RoleDetailList"]}
        self.assertEqual(roles[role]["AssumeRolePolicyDocument"], ACCOUNT_TRUST)
        policies = {p["Arn"]: p for p in details["Policies"]}
        self.assertEqual(policies[arn]["PolicyVersionList"][0]["Document"], READ_BUCKET)
        self.assertIn(AWS_LAMBDA_BASIC, policies)
        only_roles = self.iam.get_account_authorization_details(Filter=["Role"])
        self.assertEqual((only_roles["UserDetailList"], only_roles["Policies"]), ([], []))
        self.assertIamError(self.iam.get_account_authorization_details, "ValidationError", 400, Filter=["Nothing"])


class SimulationTests(IamTestCase):

    def test_simulate_principal_policy(self):
        user, group = self.new_user(), self.new_group()
        self.iam.add_user_to_group(GroupName=group, UserName=user)
        self.iam.put_user_policy(UserName=user, PolicyName="read", PolicyDocument=json.dumps(READ_BUCKET))
        deny = {"Version": "2012-10-17", "Statement": [
            {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/secret/*"}]}
        self.iam.put_group_policy(GroupName=group, PolicyName="deny", PolicyDocument=json.dumps(deny))
        user_arn = "arn:aws:iam::%s:user/%s" % (ACCOUNT, user)
        results = self.iam.simulate_principal_policy(
            PolicySourceArn=user_arn, ActionNames=["s3:GetObject", "s3:PutObject"],
            ResourceArns=["arn:aws:s3:::b/k", "arn:aws:s3:::b/secret/k"])["EvaluationResults"]
        decisions = {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in results}
        self.assertEqual(decisions, {("s3:GetObject", "arn:aws:s3:::b/k"): "allowed",
                                     ("s3:GetObject", "arn:aws:s3:::b/secret/k"): "explicitDeny",
                                     ("s3:PutObject", "arn:aws:s3:::b/k"): "implicitDeny",
                                     ("s3:PutObject", "arn:aws:s3:::b/secret/k"): "explicitDeny"})
        allowed = [r for r in results if r["EvalDecision"] == "allowed"][0]
        self.assertEqual(allowed["MatchedStatements"][0]["SourcePolicyId"], "read")
        # A boundary cuts the allow.
        self.iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=AWS_LAMBDA_BASIC)
        bounded = self.iam.simulate_principal_policy(PolicySourceArn=user_arn, ActionNames=["s3:GetObject"],
                                                     ResourceArns=["arn:aws:s3:::b/k"])["EvaluationResults"][0]
        self.assertEqual(bounded["EvalDecision"], "implicitDeny")
        self.assertFalse(bounded["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"])
        self.iam.delete_user_permissions_boundary(UserName=user)
        role = self.new_role()
        self.iam.attach_role_policy(RoleName=role, PolicyArn=AWS_LAMBDA_BASIC)
        role_result = self.iam.simulate_principal_policy(
            PolicySourceArn="arn:aws:iam::%s:role/%s" % (ACCOUNT, role),
            ActionNames=["logs:PutLogEvents"])["EvaluationResults"][0]
        self.assertEqual((role_result["EvalDecision"], role_result["EvalResourceName"]), ("allowed", "*"))
        self.assertEqual(role_result["MatchedStatements"][0]["SourcePolicyType"], "aws-managed")
        self.assertIamError(self.iam.simulate_principal_policy, "NoSuchEntity", 404,
                            PolicySourceArn="arn:aws:iam::%s:user/nobody-simulated" % ACCOUNT, ActionNames=["s3:*"])

    def test_simulate_custom_policy(self):
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}
        simulate = self.iam.simulate_custom_policy
        inside = simulate(PolicyInputList=[json.dumps(policy)], ActionNames=["s3:GetObject"],
                          ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"],
                                           "ContextKeyType": "ip"}])["EvaluationResults"][0]
        self.assertEqual(inside["EvalDecision"], "allowed")
        self.assertEqual(inside["MatchedStatements"][0]["SourcePolicyId"], "PolicyInputList.1")
        outside = simulate(PolicyInputList=[json.dumps(policy)], ActionNames=["s3:GetObject"],
                           ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["192.0.2.1"],
                                            "ContextKeyType": "ip"}])["EvaluationResults"][0]
        self.assertEqual(outside["EvalDecision"], "implicitDeny")
        bucket_policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"}]}
        denied = simulate(PolicyInputList=[json.dumps(ALLOW_ALL)], ActionNames=["s3:DeleteObject", "s3:PutObject"],
                          ResourcePolicy=json.dumps(bucket_policy), ResourceArns=["arn:aws:s3:::b/k"])
        self.assertEqual([r["EvalDecision"] for r in denied["EvaluationResults"]], ["explicitDeny", "allowed"])
        pages = list(self.iam.get_paginator("simulate_custom_policy").paginate(
            PolicyInputList=[json.dumps(ALLOW_ALL)], ActionNames=["s3:A", "s3:B", "s3:C"],
            PaginationConfig={"PageSize": 2}))
        self.assertEqual([len(p["EvaluationResults"]) for p in pages], [2, 1])
        self.assertIamError(simulate, "MalformedPolicyDocument", 400, PolicyInputList=["{}"], ActionNames=["s3:A"])


class RequestTests(IamTestCase):

    def test_unimplemented_action_and_unsigned_requests(self):
        response = error_of(self.iam.create_login_profile, UserName="x", Password="p4ssw0rd!")
        self.assertEqual((response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]),
                         ("NotImplemented", 501))
        self.assertIn("CreateLoginProfile", response["Error"]["Message"])
        unsigned = error_of(client("iam", unsigned=True).list_users)
        self.assertEqual(unsigned["Error"]["Code"], "MissingAuthenticationToken")
        self.assertEqual(error_of(client("iam", access_key="AKIANOTAKEY000000000").list_users)["Error"]["Code"],
                         "InvalidClientTokenId")


@harness.interpreter_free_test
class CliTests(IamTestCase):
    """aws-cli v1 and v2 drive the same flows."""

    def check_cli(self, binary):
        name = unique_name("cli")
        user = cli_json(binary, "iam", "create-user", "--user-name", name, "--path", "/cli/")["User"]
        self.addCleanup(lambda: client("iam").delete_user(UserName=name))
        self.assertEqual(user["Arn"], "arn:aws:iam::%s:user/cli/%s" % (ACCOUNT, name))
        key = cli_json(binary, "iam", "create-access-key", "--user-name", name)["AccessKey"]
        self.addCleanup(lambda: client("iam").delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"]))
        me = cli_json(binary, "sts", "get-caller-identity", credentials=key)
        self.assertEqual(me["Arn"], user["Arn"])
        listed = cli_json(binary, "iam", "list-users", "--path-prefix", "/cli/", "--page-size", "1")
        self.assertIn(name, [u["UserName"] for u in listed["Users"]])
        role = unique_name("clirole")
        created = cli_json(binary, "iam", "create-role", "--role-name", role, "--assume-role-policy-document",
                           json.dumps(LAMBDA_TRUST))["Role"]
        self.addCleanup(lambda: client("iam").delete_role(RoleName=role))
        self.assertEqual(created["AssumeRolePolicyDocument"], LAMBDA_TRUST)
        cli_json(binary, "iam", "put-role-policy", "--role-name", role, "--policy-name", "p", "--policy-document",
                 json.dumps(READ_BUCKET))
        self.addCleanup(lambda: client("iam").delete_role_policy(RoleName=role, PolicyName="p"))
        self.assertEqual(cli_json(binary, "iam", "get-role-policy", "--role-name", role, "--policy-name",
                                  "p")["PolicyDocument"], READ_BUCKET)
        simulated = cli_json(binary, "iam", "simulate-custom-policy", "--policy-input-list", json.dumps(READ_BUCKET),
                             "--action-names", "s3:GetObject", "--resource-arns", "arn:aws:s3:::b/k")
        self.assertEqual(simulated["EvaluationResults"][0]["EvalDecision"], "allowed")
        failed = cli(binary, "iam", "get-user", "--user-name", "nobody-cli")
        self.assertNotEqual(failed.returncode, 0)
        self.assertIn("NoSuchEntity", failed.stderr)

    def test_aws_cli_v1(self):
        self.check_cli(harness.AWS_CLI_V1)

    def test_aws_cli_v2(self):
        self.check_cli(harness.AWS_CLI_V2)
