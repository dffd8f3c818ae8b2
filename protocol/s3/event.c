/* s3_event: releasing the strings of an outbox event (see protocol/s3/event.h). */
#include "protocol/s3/event.h"

#include <stdlib.h>
#include <string.h>

void s3_event_free(struct s3_event *ev)
{
    char *strings[] = {ev->dest_kind, ev->dest_arn,  ev->config_id, ev->event_name,
                       ev->bucket,    ev->key,       ev->etag,      ev->version_id,
                       ev->sequencer, ev->region,    ev->request_id, ev->host_id,
                       ev->source_ip, ev->principal, ev->owner};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        free(strings[i]);
    memset(ev, 0, sizeof(*ev));
}
