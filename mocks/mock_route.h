/*
 * mock_route: from a decoded request to an operation and its reply.
 *
 * route_begin() runs once the headers are in: it classifies the request,
 * picks its fault, checks the signature and chooses where the body goes.
 * route_finish() runs once the body is complete: it checks the body's
 * hashes and calls the operation.
 */
#ifndef MOCK_ROUTE_H
#define MOCK_ROUTE_H

#include "mock_http.h"

/* Returns 1 with out filled when the reply is already decided (the body,
 * if any, will be discarded), else 0 with r->sink chosen. */
int route_begin(struct mock_req *r, struct mock_reply *out);
/* Fills out for a request whose body has fully arrived. */
void route_finish(struct mock_req *r, struct mock_reply *out);

#endif
