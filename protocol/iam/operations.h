/* protocol/iam/operations.h: the IAM operations cloudless serves — its one
 * operation table (see server/core/service.h).
 *
 * X(name, family, IAM action, handler): the query protocol's Action=<name>
 * (Version=2010-05-08); the family names the file the operation lives in
 * (server/iam/<family>.c, and storage/iam/<family>.c for its state where it
 * has one); handler is the server function, void handler(struct iam_call *).
 * An action not listed here is answered with NotImplemented (HTTP 501). */
#ifndef CLOUDLESS_PROTOCOL_IAM_OPERATIONS_H
#define CLOUDLESS_PROTOCOL_IAM_OPERATIONS_H

#define IAM_OPERATIONS(X) \
    X(CreateUser, users, "iam:CreateUser", iam_create_user)                                                      \
    X(GetUser, users, "iam:GetUser", iam_get_user)                                                               \
    X(ListUsers, users, "iam:ListUsers", iam_list_users)                                                         \
    X(UpdateUser, users, "iam:UpdateUser", iam_update_user)                                                      \
    X(DeleteUser, users, "iam:DeleteUser", iam_delete_user)                                                      \
    X(CreateGroup, groups, "iam:CreateGroup", iam_create_group)                                                  \
    X(GetGroup, groups, "iam:GetGroup", iam_get_group)                                                           \
    X(ListGroups, groups, "iam:ListGroups", iam_list_groups)                                                     \
    X(UpdateGroup, groups, "iam:UpdateGroup", iam_update_group)                                                  \
    X(DeleteGroup, groups, "iam:DeleteGroup", iam_delete_group)                                                  \
    X(AddUserToGroup, groups, "iam:AddUserToGroup", iam_add_user_to_group)                                       \
    X(RemoveUserFromGroup, groups, "iam:RemoveUserFromGroup", iam_remove_user_from_group)                        \
    X(ListGroupsForUser, groups, "iam:ListGroupsForUser", iam_list_groups_for_user)                              \
    X(CreateRole, roles, "iam:CreateRole", iam_create_role)                                                      \
    X(GetRole, roles, "iam:GetRole", iam_get_role)                                                               \
    X(ListRoles, roles, "iam:ListRoles", iam_list_roles)                                                         \
    X(UpdateRole, roles, "iam:UpdateRole", iam_update_role)                                                      \
    X(UpdateRoleDescription, roles, "iam:UpdateRoleDescription", iam_update_role_description)                    \
    X(UpdateAssumeRolePolicy, roles, "iam:UpdateAssumeRolePolicy", iam_update_assume_role_policy)                \
    X(DeleteRole, roles, "iam:DeleteRole", iam_delete_role)                                                      \
    X(CreateServiceLinkedRole, service_linked_roles, "iam:CreateServiceLinkedRole", iam_create_service_linked_role) \
    X(DeleteServiceLinkedRole, service_linked_roles, "iam:DeleteServiceLinkedRole", iam_delete_service_linked_role) \
    X(GetServiceLinkedRoleDeletionStatus, service_linked_roles, "iam:GetServiceLinkedRoleDeletionStatus", iam_get_service_linked_role_deletion_status) \
    X(CreatePolicy, policies, "iam:CreatePolicy", iam_create_policy)                                             \
    X(GetPolicy, policies, "iam:GetPolicy", iam_get_policy)                                                      \
    X(ListPolicies, policies, "iam:ListPolicies", iam_list_policies)                                             \
    X(DeletePolicy, policies, "iam:DeletePolicy", iam_delete_policy)                                             \
    X(CreatePolicyVersion, policies, "iam:CreatePolicyVersion", iam_create_policy_version)                       \
    X(GetPolicyVersion, policies, "iam:GetPolicyVersion", iam_get_policy_version)                                \
    X(ListPolicyVersions, policies, "iam:ListPolicyVersions", iam_list_policy_versions)                          \
    X(DeletePolicyVersion, policies, "iam:DeletePolicyVersion", iam_delete_policy_version)                       \
    X(SetDefaultPolicyVersion, policies, "iam:SetDefaultPolicyVersion", iam_set_default_policy_version)          \
    X(ListEntitiesForPolicy, policies, "iam:ListEntitiesForPolicy", iam_list_entities_for_policy)                \
    X(PutUserPolicy, inline_policies, "iam:PutUserPolicy", iam_put_user_policy)                                  \
    X(GetUserPolicy, inline_policies, "iam:GetUserPolicy", iam_get_user_policy)                                  \
    X(ListUserPolicies, inline_policies, "iam:ListUserPolicies", iam_list_user_policies)                         \
    X(DeleteUserPolicy, inline_policies, "iam:DeleteUserPolicy", iam_delete_user_policy)                         \
    X(PutGroupPolicy, inline_policies, "iam:PutGroupPolicy", iam_put_group_policy)                               \
    X(GetGroupPolicy, inline_policies, "iam:GetGroupPolicy", iam_get_group_policy)                               \
    X(ListGroupPolicies, inline_policies, "iam:ListGroupPolicies", iam_list_group_policies)                      \
    X(DeleteGroupPolicy, inline_policies, "iam:DeleteGroupPolicy", iam_delete_group_policy)                      \
    X(PutRolePolicy, inline_policies, "iam:PutRolePolicy", iam_put_role_policy)                                  \
    X(GetRolePolicy, inline_policies, "iam:GetRolePolicy", iam_get_role_policy)                                  \
    X(ListRolePolicies, inline_policies, "iam:ListRolePolicies", iam_list_role_policies)                         \
    X(DeleteRolePolicy, inline_policies, "iam:DeleteRolePolicy", iam_delete_role_policy)                         \
    X(AttachUserPolicy, attachments, "iam:AttachUserPolicy", iam_attach_user_policy)                             \
    X(DetachUserPolicy, attachments, "iam:DetachUserPolicy", iam_detach_user_policy)                             \
    X(ListAttachedUserPolicies, attachments, "iam:ListAttachedUserPolicies", iam_list_attached_user_policies)    \
    X(AttachGroupPolicy, attachments, "iam:AttachGroupPolicy", iam_attach_group_policy)                          \
    X(DetachGroupPolicy, attachments, "iam:DetachGroupPolicy", iam_detach_group_policy)                          \
    X(ListAttachedGroupPolicies, attachments, "iam:ListAttachedGroupPolicies", iam_list_attached_group_policies) \
    X(AttachRolePolicy, attachments, "iam:AttachRolePolicy", iam_attach_role_policy)                             \
    X(DetachRolePolicy, attachments, "iam:DetachRolePolicy", iam_detach_role_policy)                             \
    X(ListAttachedRolePolicies, attachments, "iam:ListAttachedRolePolicies", iam_list_attached_role_policies)    \
    X(PutUserPermissionsBoundary, boundaries, "iam:PutUserPermissionsBoundary", iam_put_user_permissions_boundary) \
    X(DeleteUserPermissionsBoundary, boundaries, "iam:DeleteUserPermissionsBoundary", iam_delete_user_permissions_boundary) \
    X(PutRolePermissionsBoundary, boundaries, "iam:PutRolePermissionsBoundary", iam_put_role_permissions_boundary) \
    X(DeleteRolePermissionsBoundary, boundaries, "iam:DeleteRolePermissionsBoundary", iam_delete_role_permissions_boundary) \
    X(CreateInstanceProfile, instance_profiles, "iam:CreateInstanceProfile", iam_create_instance_profile)        \
    X(GetInstanceProfile, instance_profiles, "iam:GetInstanceProfile", iam_get_instance_profile)                 \
    X(ListInstanceProfiles, instance_profiles, "iam:ListInstanceProfiles", iam_list_instance_profiles)           \
    X(DeleteInstanceProfile, instance_profiles, "iam:DeleteInstanceProfile", iam_delete_instance_profile)        \
    X(AddRoleToInstanceProfile, instance_profiles, "iam:AddRoleToInstanceProfile", iam_add_role_to_instance_profile) \
    X(RemoveRoleFromInstanceProfile, instance_profiles, "iam:RemoveRoleFromInstanceProfile", iam_remove_role_from_instance_profile) \
    X(ListInstanceProfilesForRole, instance_profiles, "iam:ListInstanceProfilesForRole", iam_list_instance_profiles_for_role) \
    X(CreateAccessKey, access_keys, "iam:CreateAccessKey", iam_create_access_key)                                \
    X(ListAccessKeys, access_keys, "iam:ListAccessKeys", iam_list_access_keys)                                   \
    X(UpdateAccessKey, access_keys, "iam:UpdateAccessKey", iam_update_access_key)                                \
    X(DeleteAccessKey, access_keys, "iam:DeleteAccessKey", iam_delete_access_key)                                \
    X(GetAccessKeyLastUsed, access_keys, "iam:GetAccessKeyLastUsed", iam_get_access_key_last_used)               \
    X(TagUser, tags, "iam:TagUser", iam_tag_user)                                                                \
    X(UntagUser, tags, "iam:UntagUser", iam_untag_user)                                                          \
    X(ListUserTags, tags, "iam:ListUserTags", iam_list_user_tags)                                                \
    X(TagRole, tags, "iam:TagRole", iam_tag_role)                                                                \
    X(UntagRole, tags, "iam:UntagRole", iam_untag_role)                                                          \
    X(ListRoleTags, tags, "iam:ListRoleTags", iam_list_role_tags)                                                \
    X(TagPolicy, tags, "iam:TagPolicy", iam_tag_policy)                                                          \
    X(UntagPolicy, tags, "iam:UntagPolicy", iam_untag_policy)                                                    \
    X(ListPolicyTags, tags, "iam:ListPolicyTags", iam_list_policy_tags)                                          \
    X(TagInstanceProfile, tags, "iam:TagInstanceProfile", iam_tag_instance_profile)                              \
    X(UntagInstanceProfile, tags, "iam:UntagInstanceProfile", iam_untag_instance_profile)                        \
    X(ListInstanceProfileTags, tags, "iam:ListInstanceProfileTags", iam_list_instance_profile_tags)              \
    X(GetAccountAuthorizationDetails, account, "iam:GetAccountAuthorizationDetails", iam_get_account_authorization_details) \
    X(SimulatePrincipalPolicy, simulation, "iam:SimulatePrincipalPolicy", iam_simulate_principal_policy)         \
    X(SimulateCustomPolicy, simulation, "iam:SimulateCustomPolicy", iam_simulate_custom_policy)

#endif
