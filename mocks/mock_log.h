/*
 * mock_log: the request log, one JSON object per line (--log FILE):
 *
 *   {"time":"2024-05-24T10:00:00.123Z","id":"...","method":"PUT",
 *    "path":"/bucket/key","query":"partNumber=1&uploadId=...",
 *    "op":"UploadPart","status":200,"bytes_in":5242880,"bytes_out":0,
 *    "ms":12.5,"complete":true,"fault":null,"error":null}
 *
 * "fault" is the injected fault's rule ("error 503 SlowDown"), "error" the
 * S3 error code sent, "complete" false when the connection ended before
 * the reply was fully sent.  Admin requests (/_mock/...) are not logged.
 * Lines are written whole and flushed, in completion order.
 */
#ifndef MOCK_LOG_H
#define MOCK_LOG_H

#include "mock_http.h"

struct reqlog;

/* Opens (appends to) path; a NULL path gives a log that writes nothing.
 * Reports errors itself. */
int reqlog_open(struct reqlog **out, const char *path);
void reqlog_close(struct reqlog *log);
/* Writes r's line; complete is 0 if the reply was cut short. */
void reqlog_write(struct reqlog *log, const struct mock_req *r, int complete);

#endif
