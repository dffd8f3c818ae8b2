/* protocol/lambda/operations.h: the Lambda REST operations (restJson1) —
 * the service's one operation table (see server/core/service.h).
 *
 * LAMBDA_OPERATIONS: X(name, method, path, family, IAM action, handler),
 * one per operation cloudless serves. The path is botocore's request URI
 * template: {Label} stands for one percent-encoded path segment, and a
 * "?key=value" tail is a query parameter the request must carry. The
 * family names the file the operation lives in: server/lambda/<family>.c,
 * and storage/lambda/<family>.c when the family keeps rows of its own
 * (functions, esm; aliases, permissions, tags, concurrency and event
 * invoke configs are parts of a function's document). handler is the
 * server function, void handler(struct lambda_call *).
 *
 * LAMBDA_NOT_IMPLEMENTED: X(name, method, path), the other operations of
 * AWS's Lambda API, routed so that they are answered with NotImplemented
 * (HTTP 501) naming the operation. A request that matches neither list is
 * no Lambda operation at all. The first template that matches a request
 * wins (protocol/lambda/request.c), so one with a query condition comes
 * before the same path without it. */
#ifndef CLOUDLESS_PROTOCOL_LAMBDA_OPERATIONS_H
#define CLOUDLESS_PROTOCOL_LAMBDA_OPERATIONS_H

#define LAMBDA_OPERATIONS(X)                                                                                    \
    X(CreateFunction, "POST", "/2015-03-31/functions",                                                          \
      functions, "lambda:CreateFunction", lambda_create_function)                                               \
    X(ListFunctions, "GET", "/2015-03-31/functions",                                                            \
      functions, "lambda:ListFunctions", lambda_list_functions)                                                 \
    X(GetFunction, "GET", "/2015-03-31/functions/{FunctionName}",                                               \
      functions, "lambda:GetFunction", lambda_get_function)                                                     \
    X(GetFunctionConfiguration, "GET", "/2015-03-31/functions/{FunctionName}/configuration",                    \
      functions, "lambda:GetFunctionConfiguration", lambda_get_function_configuration)                          \
    X(UpdateFunctionCode, "PUT", "/2015-03-31/functions/{FunctionName}/code",                                   \
      functions, "lambda:UpdateFunctionCode", lambda_update_function_code)                                      \
    X(UpdateFunctionConfiguration, "PUT", "/2015-03-31/functions/{FunctionName}/configuration",                 \
      functions, "lambda:UpdateFunctionConfiguration", lambda_update_function_configuration)                    \
    X(DeleteFunction, "DELETE", "/2015-03-31/functions/{FunctionName}",                                         \
      functions, "lambda:DeleteFunction", lambda_delete_function)                                               \
    X(PublishVersion, "POST", "/2015-03-31/functions/{FunctionName}/versions",                                  \
      functions, "lambda:PublishVersion", lambda_publish_version)                                               \
    X(ListVersionsByFunction, "GET", "/2015-03-31/functions/{FunctionName}/versions",                           \
      functions, "lambda:ListVersionsByFunction", lambda_list_versions_by_function)                             \
    X(GetFunctionCodeSigningConfig, "GET", "/2020-06-30/functions/{FunctionName}/code-signing-config",          \
      functions, "lambda:GetFunctionCodeSigningConfig", lambda_get_function_code_signing_config)                \
    X(Invoke, "POST", "/2015-03-31/functions/{FunctionName}/invocations",                                       \
      invoke, "lambda:InvokeFunction", lambda_invoke)                                                           \
    X(CreateAlias, "POST", "/2015-03-31/functions/{FunctionName}/aliases",                                      \
      aliases, "lambda:CreateAlias", lambda_create_alias)                                                       \
    X(ListAliases, "GET", "/2015-03-31/functions/{FunctionName}/aliases",                                       \
      aliases, "lambda:ListAliases", lambda_list_aliases)                                                       \
    X(GetAlias, "GET", "/2015-03-31/functions/{FunctionName}/aliases/{Name}",                                   \
      aliases, "lambda:GetAlias", lambda_get_alias)                                                             \
    X(UpdateAlias, "PUT", "/2015-03-31/functions/{FunctionName}/aliases/{Name}",                                \
      aliases, "lambda:UpdateAlias", lambda_update_alias)                                                       \
    X(DeleteAlias, "DELETE", "/2015-03-31/functions/{FunctionName}/aliases/{Name}",                             \
      aliases, "lambda:DeleteAlias", lambda_delete_alias)                                                       \
    X(AddPermission, "POST", "/2015-03-31/functions/{FunctionName}/policy",                                     \
      permissions, "lambda:AddPermission", lambda_add_permission)                                               \
    X(GetPolicy, "GET", "/2015-03-31/functions/{FunctionName}/policy",                                          \
      permissions, "lambda:GetPolicy", lambda_get_policy)                                                       \
    X(RemovePermission, "DELETE", "/2015-03-31/functions/{FunctionName}/policy/{StatementId}",                  \
      permissions, "lambda:RemovePermission", lambda_remove_permission)                                         \
    X(ListTags, "GET", "/2017-03-31/tags/{Resource}",                                                           \
      tags, "lambda:ListTags", lambda_list_tags)                                                                \
    X(TagResource, "POST", "/2017-03-31/tags/{Resource}",                                                       \
      tags, "lambda:TagResource", lambda_tag_resource)                                                          \
    X(UntagResource, "DELETE", "/2017-03-31/tags/{Resource}",                                                   \
      tags, "lambda:UntagResource", lambda_untag_resource)                                                      \
    X(PutFunctionConcurrency, "PUT", "/2017-10-31/functions/{FunctionName}/concurrency",                        \
      concurrency, "lambda:PutFunctionConcurrency", lambda_put_function_concurrency)                            \
    X(GetFunctionConcurrency, "GET", "/2019-09-30/functions/{FunctionName}/concurrency",                        \
      concurrency, "lambda:GetFunctionConcurrency", lambda_get_function_concurrency)                            \
    X(DeleteFunctionConcurrency, "DELETE", "/2017-10-31/functions/{FunctionName}/concurrency",                  \
      concurrency, "lambda:DeleteFunctionConcurrency", lambda_delete_function_concurrency)                      \
    X(PutFunctionEventInvokeConfig, "PUT", "/2019-09-25/functions/{FunctionName}/event-invoke-config",          \
      event_invoke_config, "lambda:PutFunctionEventInvokeConfig", lambda_put_function_event_invoke_config)      \
    X(UpdateFunctionEventInvokeConfig, "POST", "/2019-09-25/functions/{FunctionName}/event-invoke-config",      \
      event_invoke_config, "lambda:UpdateFunctionEventInvokeConfig", lambda_update_function_event_invoke_config)\
    X(GetFunctionEventInvokeConfig, "GET", "/2019-09-25/functions/{FunctionName}/event-invoke-config",          \
      event_invoke_config, "lambda:GetFunctionEventInvokeConfig", lambda_get_function_event_invoke_config)      \
    X(DeleteFunctionEventInvokeConfig, "DELETE", "/2019-09-25/functions/{FunctionName}/event-invoke-config",    \
      event_invoke_config, "lambda:DeleteFunctionEventInvokeConfig", lambda_delete_function_event_invoke_config)\
    X(GetAccountSettings, "GET", "/2016-08-19/account-settings",                                                \
      account, "lambda:GetAccountSettings", lambda_get_account_settings)                                        \
    X(CreateEventSourceMapping, "POST", "/2015-03-31/event-source-mappings",                                    \
      esm, "lambda:CreateEventSourceMapping", lambda_create_event_source_mapping)                               \
    X(ListEventSourceMappings, "GET", "/2015-03-31/event-source-mappings",                                      \
      esm, "lambda:ListEventSourceMappings", lambda_list_event_source_mappings)                                 \
    X(GetEventSourceMapping, "GET", "/2015-03-31/event-source-mappings/{UUID}",                                 \
      esm, "lambda:GetEventSourceMapping", lambda_get_event_source_mapping)                                     \
    X(UpdateEventSourceMapping, "PUT", "/2015-03-31/event-source-mappings/{UUID}",                              \
      esm, "lambda:UpdateEventSourceMapping", lambda_update_event_source_mapping)                               \
    X(DeleteEventSourceMapping, "DELETE", "/2015-03-31/event-source-mappings/{UUID}",                           \
      esm, "lambda:DeleteEventSourceMapping", lambda_delete_event_source_mapping)

#define LAMBDA_NOT_IMPLEMENTED(X)                                                                               \
    X(InvokeAsync, "POST", "/2014-11-13/functions/{FunctionName}/invoke-async")                                 \
    X(GetLayerVersionByArn, "GET", "/2018-10-31/layers?find=LayerVersion")                                      \
    X(ListLayers, "GET", "/2018-10-31/layers")                                                                  \
    X(ListLayerVersions, "GET", "/2018-10-31/layers/{LayerName}/versions")                                      \
    X(PublishLayerVersion, "POST", "/2018-10-31/layers/{LayerName}/versions")                                   \
    X(DeleteLayerVersion, "DELETE", "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}")                  \
    X(GetLayerVersion, "GET", "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}")                        \
    X(GetLayerVersionPolicy, "GET", "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy")           \
    X(AddLayerVersionPermission, "POST", "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy")      \
    X(RemoveLayerVersionPermission, "DELETE",                                                                   \
      "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy/{StatementId}")                           \
    X(ListFunctionEventInvokeConfigs, "GET", "/2019-09-25/functions/{FunctionName}/event-invoke-config/list")   \
    X(ListProvisionedConcurrencyConfigs, "GET",                                                                 \
      "/2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL")                                  \
    X(DeleteProvisionedConcurrencyConfig, "DELETE",                                                             \
      "/2019-09-30/functions/{FunctionName}/provisioned-concurrency")                                           \
    X(GetProvisionedConcurrencyConfig, "GET", "/2019-09-30/functions/{FunctionName}/provisioned-concurrency")   \
    X(PutProvisionedConcurrencyConfig, "PUT", "/2019-09-30/functions/{FunctionName}/provisioned-concurrency")   \
    X(ListCodeSigningConfigs, "GET", "/2020-04-22/code-signing-configs")                                        \
    X(CreateCodeSigningConfig, "POST", "/2020-04-22/code-signing-configs")                                      \
    X(DeleteCodeSigningConfig, "DELETE", "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}")             \
    X(GetCodeSigningConfig, "GET", "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}")                   \
    X(UpdateCodeSigningConfig, "PUT", "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}")                \
    X(ListFunctionsByCodeSigningConfig, "GET",                                                                  \
      "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}/functions")                                      \
    X(DeleteFunctionCodeSigningConfig, "DELETE", "/2020-06-30/functions/{FunctionName}/code-signing-config")    \
    X(PutFunctionCodeSigningConfig, "PUT", "/2020-06-30/functions/{FunctionName}/code-signing-config")          \
    X(GetRuntimeManagementConfig, "GET", "/2021-07-20/functions/{FunctionName}/runtime-management-config")      \
    X(PutRuntimeManagementConfig, "PUT", "/2021-07-20/functions/{FunctionName}/runtime-management-config")      \
    X(DeleteFunctionUrlConfig, "DELETE", "/2021-10-31/functions/{FunctionName}/url")                            \
    X(GetFunctionUrlConfig, "GET", "/2021-10-31/functions/{FunctionName}/url")                                  \
    X(CreateFunctionUrlConfig, "POST", "/2021-10-31/functions/{FunctionName}/url")                              \
    X(UpdateFunctionUrlConfig, "PUT", "/2021-10-31/functions/{FunctionName}/url")                               \
    X(ListFunctionUrlConfigs, "GET", "/2021-10-31/functions/{FunctionName}/urls")                               \
    X(InvokeWithResponseStream, "POST", "/2021-11-15/functions/{FunctionName}/response-streaming-invocations")  \
    X(GetFunctionRecursionConfig, "GET", "/2024-08-31/functions/{FunctionName}/recursion-config")               \
    X(PutFunctionRecursionConfig, "PUT", "/2024-08-31/functions/{FunctionName}/recursion-config")               \
    X(ListCapacityProviders, "GET", "/2025-11-30/capacity-providers")                                           \
    X(CreateCapacityProvider, "POST", "/2025-11-30/capacity-providers")                                         \
    X(DeleteCapacityProvider, "DELETE", "/2025-11-30/capacity-providers/{CapacityProviderName}")                \
    X(GetCapacityProvider, "GET", "/2025-11-30/capacity-providers/{CapacityProviderName}")                      \
    X(UpdateCapacityProvider, "PUT", "/2025-11-30/capacity-providers/{CapacityProviderName}")                   \
    X(ListFunctionVersionsByCapacityProvider, "GET",                                                            \
      "/2025-11-30/capacity-providers/{CapacityProviderName}/function-versions")                                \
    X(GetFunctionScalingConfig, "GET", "/2025-11-30/functions/{FunctionName}/function-scaling-config")          \
    X(PutFunctionScalingConfig, "PUT", "/2025-11-30/functions/{FunctionName}/function-scaling-config")          \
    X(SendDurableExecutionCallbackFailure, "POST", "/2025-12-01/durable-execution-callbacks/{CallbackId}/fail") \
    X(SendDurableExecutionCallbackHeartbeat, "POST",                                                            \
      "/2025-12-01/durable-execution-callbacks/{CallbackId}/heartbeat")                                         \
    X(SendDurableExecutionCallbackSuccess, "POST",                                                              \
      "/2025-12-01/durable-execution-callbacks/{CallbackId}/succeed")                                           \
    X(GetDurableExecution, "GET", "/2025-12-01/durable-executions/{DurableExecutionArn}")                       \
    X(CheckpointDurableExecution, "POST", "/2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint")    \
    X(GetDurableExecutionHistory, "GET", "/2025-12-01/durable-executions/{DurableExecutionArn}/history")        \
    X(GetDurableExecutionState, "GET", "/2025-12-01/durable-executions/{DurableExecutionArn}/state")            \
    X(StopDurableExecution, "POST", "/2025-12-01/durable-executions/{DurableExecutionArn}/stop")                \
    X(ListDurableExecutionsByFunction, "GET", "/2025-12-01/functions/{FunctionName}/durable-executions")

#endif
