/* partiql: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction (being written). */
#include "server/dynamodb/service.h"

void ddb_execute_statement(struct ddb_call *c) { ddb_send_not_implemented(c, "ExecuteStatement"); }
void ddb_batch_execute_statement(struct ddb_call *c) { ddb_send_not_implemented(c, "BatchExecuteStatement"); }
void ddb_execute_transaction(struct ddb_call *c) { ddb_send_not_implemented(c, "ExecuteTransaction"); }
