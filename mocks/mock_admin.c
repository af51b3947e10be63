/*
 * mock_admin: the unsigned admin endpoint, loopback clients only.
 *
 *   GET    /_mock/ping     "ok": the server is up
 *   GET    /_mock/faults   the fault rules, one per line, with what is
 *                          left of their count and their hits
 *   POST   /_mock/faults   adds the rules in the body (mock_faults.h)
 *   PUT    /_mock/faults   replaces every rule with those in the body
 *   DELETE /_mock/faults   removes every rule and the clock skew
 */
#include <string.h>

#include "archivist/error.h"
#include "mock_faults.h"
#include "mock_ops.h"
#include "mock_server.h"

static void text_reply(struct mock_reply *out, unsigned status,
		       struct buf *text)
{
	buf_release(&out->body);
	out->body = *text;
	buf_init(text, 0);
	out->status = status;
	reply_header(out, "Content-Type", "text/plain; charset=utf-8");
}

static void faults_reply(struct mock_req *r, struct mock_reply *out)
{
	struct buf text = BUF_INIT;

	if (faults_describe(r->srv->faults, &text))
		reply_av_error(r, out, AV_ENOMEM, "out of memory");
	else
		text_reply(out, 200, &text);
	buf_release(&text);
}

static void faults_change(struct mock_req *r, struct mock_reply *out,
			  int replace)
{
	struct buf err = BUF_INIT;

	if (replace)
		faults_clear(r->srv->faults);
	if (faults_add(r->srv->faults, r->body_mem.ptr, &err)) {
		buf_addc(&err, '\n');
		text_reply(out, 400, &err);
	} else {
		faults_reply(r, out);
	}
	buf_release(&err);
}

void op_admin(struct mock_req *r, struct mock_reply *out)
{
	const char *m = r->method;
	struct buf text = BUF_INIT;

	if (!strcmp(r->path, "/_mock/ping") && !strcmp(m, "GET")) {
		buf_adds(&text, "ok\n");
		text_reply(out, 200, &text);
	} else if (strcmp(r->path, "/_mock/faults") != 0) {
		buf_adds(&text, "no such admin resource\n");
		text_reply(out, 404, &text);
	} else if (!strcmp(m, "GET")) {
		faults_reply(r, out);
	} else if (!strcmp(m, "POST") || !strcmp(m, "PUT")) {
		faults_change(r, out, !strcmp(m, "PUT"));
	} else if (!strcmp(m, "DELETE")) {
		faults_clear(r->srv->faults);
		faults_reply(r, out);
	} else {
		buf_adds(&text, "method not allowed\n");
		text_reply(out, 405, &text);
	}
	buf_release(&text);
}
