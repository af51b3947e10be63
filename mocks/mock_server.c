/* mock_server: libmicrohttpd glue, body streaming, replies (see
 * mock_server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/sink.h"
#include "mock_faults.h"
#include "mock_listcache.h"
#include "mock_log.h"
#include "mock_route.h"
#include "mock_server.h"
#include "mock_store.h"
#include "mock_xml.h"

/* A request and the reply it will get, for the life of the request. */
struct conn_req {
	struct mock_req r;
	struct mock_reply reply;
	int have_reply;
	uint64_t declared_len;	/* the reply body's real length */
};

/* The body source of a reply cut short or made too long by a fault. */
struct fault_src {
	int fd;			/* file body (owned), or -1 */
	uint64_t off;
	char *mem;		/* memory body (owned) */
	uint64_t len;		/* real body bytes */
	uint64_t limit;		/* bytes sent in all */
	int sock;		/* the connection, for a hard reset */
	int rst;		/* reset (RST) rather than close (FIN) */
	int overlong;		/* limit is past len: end normally there */
};

void server_sleep(struct mock_server *s, uint64_t ms)
{
	struct timespec ts = { 0, 20 * 1000000L };

	for (; ms > 0 && !atomic_load(&s->stopping); ms -= ms < 20 ? ms : 20)
		nanosleep(&ts, NULL);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct mock_server *s = cls;
	struct conn_req *cr = calloc(1, sizeof(*cr));

	if (!cr)
		return NULL;
	cr->r.srv = s;
	cr->r.conn = c;
	cr->r.uri = strdup(uri);
	cr->r.body_fd = -1;
	buf_init(&cr->r.body_path, 0);
	buf_init(&cr->r.body_mem, 0);
	clock_gettime(CLOCK_MONOTONIC, &cr->r.start);
	cr->r.now = time(NULL) + faults_skew(s->faults);
	snprintf(cr->r.id, sizeof(cr->r.id), "%08lX%08lX",
		 (unsigned long)time(NULL) & 0xFFFFFFFFul,
		 atomic_fetch_add(&s->next_id, 1) & 0xFFFFFFFFul);
	reply_init(&cr->reply);
	return cr;
}

static void on_done(void *cls, struct MHD_Connection *c, void **req_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct mock_server *s = cls;
	struct conn_req *cr = *req_cls;

	(void)c;
	if (!cr)
		return;
	if (cr->r.body_fd >= 0)
		close(cr->r.body_fd);
	if (cr->r.body_path.len)
		unlink(cr->r.body_path.ptr);
	if (cr->r.started)
		reqlog_write(s->log, &cr->r,
			     toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	req_release(&cr->r);
	reply_release(&cr->reply);
	free(cr);
	*req_cls = NULL;
}

static int conn_socket(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

	return ci ? ci->connect_fd : -1;
}

/*
 * Resets the connection now (TCP RST).  libmicrohttpd would shut the
 * socket down cleanly (FIN) before closing it, so its descriptor is
 * swapped for an unconnected socket: the connection's last reference
 * closes with a zero linger, and MHD then closes the stand-in.
 */
static void hard_reset(int sock)
{
	struct linger l = { 1, 0 };
	int dummy;

	if (sock < 0)
		return;
	setsockopt(sock, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	dummy = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (dummy >= 0) {
		dup2(dummy, sock);
		close(dummy);
	}
}

/* ---- request bodies ---- */

static void sink_fail(struct mock_req *r, int rc)
{
	r->body_error = rc;
	if (r->body_fd >= 0)
		close(r->body_fd);
	r->body_fd = -1;
	r->sink = BODY_DISCARD;
}

static int sink_open(struct mock_req *r)
{
	int rc = 0;

	if (r->sink == BODY_FILE || r->sink == BODY_MEM)
		rc = digest_init(&r->dig, r->body_digests);
	if (!rc && r->sink == BODY_FILE)
		rc = store_tmp_file(r->srv->store, &r->body_path, &r->body_fd);
	if (rc)
		sink_fail(r, rc);
	return rc;
}

static enum MHD_Result body_chunk(struct mock_req *r, const char *p, size_t n)
{
	struct sink_fd file = { r->body_fd, r->body_path.ptr };
	int rc = 0;

	if (r->fault.kind == FAULT_RESET_REQUEST &&
	    r->bytes_in + n > r->fault.n) {
		r->fault_applied = 1;
		r->bytes_in = r->fault.n;
		hard_reset(conn_socket(r->conn));
		return MHD_NO;
	}
	r->bytes_in += n;
	if (r->sink == BODY_FILE || r->sink == BODY_MEM)
		digest_update(&r->dig, p, n);
	if (r->sink == BODY_FILE)
		rc = sink_fd_write(&file, p, n);	/* reports errors */
	else if (r->sink == BODY_MEM)
		rc = buf_add(&r->body_mem, p, n);
	if (rc)
		sink_fail(r, rc);
	return MHD_YES;
}

static void body_end(struct mock_req *r)
{
	int rc = 0;

	if (r->sink != BODY_FILE && r->sink != BODY_MEM)
		return;
	if (r->body_fd >= 0 && close(r->body_fd))
		rc = AV_EIO;
	r->body_fd = -1;
	if (!rc)
		rc = digest_final(&r->dig, &r->body_sum);
	if (rc)
		sink_fail(r, rc);
}

/* ---- replies ---- */

static ssize_t fault_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct fault_src *f = cls;
	ssize_t n;

	if (pos >= f->limit) {
		if (f->overlong)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (f->rst)
			hard_reset(f->sock);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	if (max > f->limit - pos)
		max = (size_t)(f->limit - pos);
	if (pos >= f->len) {		/* past the real body: filler */
		memset(out, ' ', max);
		return (ssize_t)max;
	}
	if (max > f->len - pos)
		max = (size_t)(f->len - pos);
	if (f->fd < 0) {
		memcpy(out, f->mem + pos, max);
		return (ssize_t)max;
	}
	n = pread(f->fd, out, max, (off_t)(f->off + pos));
	return n > 0 ? n : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void fault_free(void *cls)
{
	struct fault_src *f = cls;

	if (f->fd >= 0)
		close(f->fd);
	free(f->mem);
	free(f);
}

/* A reply whose body is cut, or longer than its Content-Length. */
static struct MHD_Response *fault_response(struct conn_req *cr)
{
	struct mock_reply *p = &cr->reply;
	struct fault_src *f = calloc(1, sizeof(*f));
	struct MHD_Response *resp;
	uint64_t size;

	if (!f)
		return NULL;
	f->fd = p->fd;
	f->off = p->off;
	f->len = p->fd >= 0 ? p->len : p->body.len;
	f->mem = p->fd >= 0 ? NULL : buf_detach(&p->body, NULL);
	p->fd = -1;
	f->sock = conn_socket(cr->r.conn);
	f->rst = cr->r.fault.kind == FAULT_RESET_RESPONSE;
	size = f->len;
	cr->declared_len = f->len;
	f->overlong = cr->r.fault.kind == FAULT_OVERLONG;
	if (f->overlong) {
		/* Unknown size: MHD then sends what the callback gives, and
		 * our own Content-Length says less. */
		f->limit = f->len + cr->r.fault.n;
		size = MHD_SIZE_UNKNOWN;
	} else {
		f->limit = cr->r.fault.n < f->len ? cr->r.fault.n : f->len;
	}
	cr->r.bytes_out = f->limit;
	resp = MHD_create_response_from_callback(size, 64 * 1024, fault_read,
						 f, fault_free);
	if (!resp)
		fault_free(f);
	return resp;
}

static struct MHD_Response *plain_response(struct conn_req *cr)
{
	struct mock_reply *p = &cr->reply;
	struct MHD_Response *resp;
	size_t n;
	char *body;

	if (p->gen) {
		resp = MHD_create_response_from_callback(
			p->len, 64 * 1024, p->gen,
			p->gen_cls, p->gen_free);
		if (resp)
			p->gen = NULL, p->gen_free = NULL;
		cr->r.bytes_out = p->len;
		return resp;
	}
	if (p->fd >= 0) {
		resp = MHD_create_response_from_fd_at_offset64(p->len, p->fd,
							       p->off);
		if (resp)
			p->fd = -1;
		cr->r.bytes_out = p->len;
		return resp;
	}
	if (!(body = buf_detach(&p->body, &n)))
		return NULL;
	resp = MHD_create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(body);
	cr->r.bytes_out = n;
	return resp;
}

static int is_body_fault(enum fault_kind k)
{
	return k == FAULT_RESET_RESPONSE || k == FAULT_TRUNCATE ||
	       k == FAULT_OVERLONG;
}

static int add_headers(struct conn_req *cr, struct MHD_Response *resp)
{
	struct mock_reply *p = &cr->reply;
	char date[40], len[24];
	size_t i;
	int ok = 1;

	if (cr->r.fault.kind == FAULT_OVERLONG) {
		/* Declare the real length (the body has more), no chunking,
		 * and close after; options first: they reset MHD's notes on
		 * the headers already added. */
		snprintf(len, sizeof(len), "%llu",
			 (unsigned long long)cr->declared_len);
		ok &= MHD_set_response_options(
			      resp, MHD_RF_INSANITY_HEADER_CONTENT_LENGTH |
				      MHD_RF_HTTP_1_0_COMPATIBLE_STRICT,
			      MHD_RO_END) == MHD_YES;
		ok &= MHD_add_response_header(resp, "Content-Length", len) ==
		      MHD_YES;
	}
	xml_time_http(date, cr->r.now);
	ok &= MHD_add_response_header(resp, "Date", date) == MHD_YES;
	ok &= MHD_add_response_header(resp, "Server", "mock-s3") == MHD_YES;
	ok &= MHD_add_response_header(resp, "x-amz-request-id", cr->r.id) ==
	      MHD_YES;
	for (i = 0; i < p->nheaders; i++)
		ok &= MHD_add_response_header(resp, p->headers[i].name,
					      p->headers[i].value) == MHD_YES;
	return ok ? 0 : AV_ENOMEM;
}

static enum MHD_Result send_reply(struct conn_req *cr)
{
	struct mock_req *r = &cr->r;
	struct MHD_Response *resp;
	enum MHD_Result res;

	if (r->fault.kind == FAULT_STALL) {
		r->fault_applied = 1;
		server_sleep(r->srv, r->fault.n);
	}
	r->status = cr->reply.status;
	r->error_code = cr->reply.error_code;
	r->replied = 1;
	if (is_body_fault(r->fault.kind) && !cr->reply.gen) {
		r->fault_applied = 1;
		resp = fault_response(cr);
	} else {
		resp = plain_response(cr);
	}
	if (!resp || add_headers(cr, resp)) {
		if (resp)
			MHD_destroy_response(resp);
		return MHD_NO;
	}
	if (strcmp(r->method, "HEAD") == 0)
		r->bytes_out = 0;
	res = MHD_queue_response(r->conn, cr->reply.status, resp);
	MHD_destroy_response(resp);
	return res;
}

/* ---- the request handler ---- */

static int expects_continue(const struct mock_req *r)
{
	const char *e = req_header(r, "Expect");

	return e && strcasecmp(e, "100-continue") == 0;
}

static enum MHD_Result begin(struct conn_req *cr, const char *method)
{
	struct mock_req *r = &cr->r;

	r->started = 1;
	r->method = method;
	if (route_begin(r, &cr->reply)) {
		cr->have_reply = 1;
		r->sink = BODY_DISCARD;
		/* The client waits for our go-ahead: answer now instead. */
		return expects_continue(r) ? send_reply(cr) : MHD_YES;
	}
	if (sink_open(r)) {
		reply_error(r, &cr->reply, 500, "InternalError",
			    "cannot store the request body");
		cr->have_reply = 1;
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *size, void **req_cls)
{
	struct conn_req *cr = *req_cls;

	(void)cls, (void)c, (void)url, (void)version;
	if (!cr || !cr->r.uri)
		return MHD_NO;
	if (!cr->r.started)
		return begin(cr, method);
	if (cr->r.replied) {
		*size = 0;
		return MHD_YES;
	}
	if (*size) {
		enum MHD_Result res = body_chunk(&cr->r, data, *size);

		*size = 0;
		return res;
	}
	if (!cr->have_reply) {
		body_end(&cr->r);
		route_finish(&cr->r, &cr->reply);
		cr->have_reply = 1;
	}
	return send_reply(cr);
}

/* ---- start and stop ---- */

static int write_port_file(const char *path, unsigned port)
{
	struct buf tmp = BUF_INIT;
	FILE *f = NULL;
	int rc;

	if ((rc = buf_addf(&tmp, "%s.tmp", path)))
		goto out;
	rc = AV_EIO;
	if (!(f = fopen(tmp.ptr, "we")) || fprintf(f, "%u\n", port) < 0)
		goto out;
	if (fclose(f) == 0 && rename(tmp.ptr, path) == 0)
		rc = 0;
	f = NULL;
out:
	if (f)
		fclose(f);
	if (rc)
		msg_error("cannot write the port file '%s': %s", path,
			  strerror(errno));
	buf_release(&tmp);
	return rc;
}

static struct MHD_Daemon *listen_on(struct mock_server *s, unsigned port)
{
	struct sockaddr_in sa;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->cfg->verbose)
		flags |= MHD_USE_ERROR_LOG;
	return MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
		MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(512 * 1024),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
		MHD_OPTION_END);
}

int server_start(struct mock_server *s, const struct mock_config *cfg,
		 struct faults *faults)
{
	const union MHD_DaemonInfo *info;
	int rc;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->faults = faults;
	if ((rc = store_new(&s->store, cfg->data_dir)) ||
	    (rc = listcache_new(&s->lists)) ||
	    (rc = reqlog_open(&s->log, cfg->log_path)))
		goto fail;
	rc = AV_ENET;
	if (!(s->daemon = listen_on(s, cfg->port))) {
		msg_error("cannot listen on 127.0.0.1:%u", cfg->port);
		goto fail;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : cfg->port;
	if (cfg->port_file && (rc = write_port_file(cfg->port_file, s->port)))
		goto fail;
	return 0;
fail:
	server_stop(s);
	return rc;
}

void server_stop(struct mock_server *s)
{
	atomic_store(&s->stopping, 1);
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	s->daemon = NULL;
	reqlog_close(s->log);
	s->log = NULL;
	listcache_free(s->lists);
	s->lists = NULL;
	store_free(s->store);
	s->store = NULL;
}
