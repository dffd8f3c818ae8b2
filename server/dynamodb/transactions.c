/* transactions: TransactWriteItems and TransactGetItems (being written). */
#include "server/dynamodb/service.h"

void ddb_transact_write_items(struct ddb_call *c) { ddb_send_not_implemented(c, "TransactWriteItems"); }
void ddb_transact_get_items(struct ddb_call *c) { ddb_send_not_implemented(c, "TransactGetItems"); }
