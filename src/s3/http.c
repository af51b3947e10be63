/* http: libcurl exchanges over a pool of reusable handles (see http.h). */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "archivist/error.h"
#include "http.h"
#include "archivist/msg.h"

/* Idle handles kept (each keeps its connection); more are simply freed. */
#define POOL_KEEP 32

struct http_pool {
	pthread_mutex_t lock;
	CURL *idle[POOL_KEEP];
	size_t nidle;
	char *ca_bundle;
	long connect_timeout, low_speed_limit, low_speed_time;
};

/* Per-exchange state the callbacks see. */
struct xfer {
	const struct http_request *req;
	struct http_response *resp;
	uint64_t pos;		/* upload position within the body */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_init_rc;

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : AV_ENOMEM;
}

void http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, HTTP_BODY_MAX);
	buf_init(&r->error, 4096);
}

static void headers_free(struct http_response *r)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	r->headers = NULL;
	r->nheaders = 0;
}

void http_response_release(struct http_response *r)
{
	headers_free(r);
	buf_release(&r->body);
	buf_release(&r->error);
	r->status = 0;
	r->received = 0;
	r->sink_error = 0;
}

void http_response_reset(struct http_response *r)
{
	http_response_release(r);
}

const char *http_response_header(const struct http_response *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

int http_pool_new(const struct http_config *cfg, struct http_pool **out)
{
	struct http_pool *p;

	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc)
		return curl_init_rc;
	if (!(p = calloc(1, sizeof(*p))))
		return AV_ENOMEM;
	if (cfg->ca_bundle && !(p->ca_bundle = strdup(cfg->ca_bundle))) {
		free(p);
		return AV_ENOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	p->connect_timeout = cfg->connect_timeout;
	p->low_speed_limit = cfg->low_speed_limit;
	p->low_speed_time = cfg->low_speed_time;
	*out = p;
	return 0;
}

void http_pool_free(struct http_pool *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nidle; i++)
		curl_easy_cleanup(p->idle[i]);
	pthread_mutex_destroy(&p->lock);
	free(p->ca_bundle);
	free(p);
}

static CURL *pool_take(struct http_pool *p)
{
	CURL *h = NULL;

	pthread_mutex_lock(&p->lock);
	if (p->nidle)
		h = p->idle[--p->nidle];
	pthread_mutex_unlock(&p->lock);
	return h ? h : curl_easy_init();
}

/* A handle whose exchange failed may hold a broken connection: drop it. */
static void pool_give(struct http_pool *p, CURL *h, int healthy)
{
	if (healthy) {
		pthread_mutex_lock(&p->lock);
		if (p->nidle < POOL_KEEP) {
			p->idle[p->nidle++] = h;
			h = NULL;
		}
		pthread_mutex_unlock(&p->lock);
	}
	if (h)
		curl_easy_cleanup(h);
}

/* Keeps "name: value" with name lower-cased and value trimmed. */
static int header_add(struct http_response *r, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n), *v, *end = line + n;
	struct http_header *nh;
	size_t i, nlen;

	if (!colon)
		return 0;
	nlen = (size_t)(colon - line);
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	nh = realloc(r->headers, (r->nheaders + 1) * sizeof(*nh));
	if (!nh)
		return AV_ENOMEM;
	r->headers = nh;
	nh = &r->headers[r->nheaders];
	nh->name = strndup(line, nlen);
	nh->value = strndup(v, (size_t)(end - v));
	if (!nh->name || !nh->value) {
		free(nh->name);
		free(nh->value);
		return AV_ENOMEM;
	}
	for (i = 0; i < nlen; i++)
		nh->name[i] = (char)tolower((unsigned char)nh->name[i]);
	r->nheaders++;
	return 0;
}

/* The status of "HTTP/1.1 200 OK"; libcurl's lines are not NUL-terminated. */
static long status_of(const char *line, size_t n)
{
	const char *end = line + n, *p = memchr(line, ' ', n);
	long st = 0;

	for (p = p ? p + 1 : end; p < end && st < 1000 && *p >= '0' && *p <= '9'; p++)
		st = st * 10 + (*p - '0');
	return st;
}

/* Header lines arrive one by one; a status line starts a new reply (100). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t n = size * nmemb;

	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		headers_free(x->resp);
		x->resp->status = status_of(data, n);
		return n;
	}
	if (header_add(x->resp, data, n) != 0)
		return 0;
	return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	struct http_response *r = x->resp;
	size_t n = size * nmemb;
	int rc;

	if (x->req->sink && r->status >= 200 && r->status < 300) {
		if ((rc = x->req->sink(x->req->sink_ctx, data, n)) != 0) {
			r->sink_error = rc;
			return 0;
		}
		r->received += n;
		return n;
	}
	if ((rc = buf_add(&r->body, data, n)) != 0) {
		r->sink_error = rc;
		return 0;
	}
	return n;
}

static size_t on_read(char *dst, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	const struct http_request *q = x->req;
	uint64_t left = q->body_len - x->pos;
	size_t n = size * nmemb;
	ssize_t got;

	if (n > left)
		n = (size_t)left;
	if (n == 0)
		return 0;
	if (q->body_fd >= 0) {
		got = pread(q->body_fd, dst, n, (off_t)(q->body_off + x->pos));
		if (got <= 0) {
			x->resp->sink_error = AV_EIO;
			return CURL_READFUNC_ABORT;
		}
		n = (size_t)got;
	} else {
		memcpy(dst, q->body + x->pos, n);
	}
	x->pos += n;
	if (q->sent)
		q->sent(q->sent_ctx, n);
	return n;
}

/* curl rewinds the body when it must send it again on a new connection. */
static int on_seek(void *ctx, curl_off_t off, int origin)
{
	struct xfer *x = ctx;

	if (origin != SEEK_SET || off < 0 || (uint64_t)off > x->req->body_len)
		return CURL_SEEKFUNC_CANTSEEK;
	x->pos = (uint64_t)off;
	return CURL_SEEKFUNC_OK;
}

static int set_method(CURL *h, const struct http_request *q)
{
	int has_body = q->body || q->body_fd >= 0;
	CURLcode c = CURLE_OK;

	if (strcmp(q->method, "HEAD") == 0)
		return curl_easy_setopt(h, CURLOPT_NOBODY, 1L) != CURLE_OK;
	if (strcmp(q->method, "PUT") == 0 || (strcmp(q->method, "POST") == 0 && has_body)) {
		c |= curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		c |= curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->body_len);
	}
	if (strcmp(q->method, "GET") != 0 && strcmp(q->method, "PUT") != 0)
		c |= curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
	return c != CURLE_OK;
}

/* Every option, every time: curl_easy_reset() keeps only connections. */
static int setup(struct http_pool *p, CURL *h, struct xfer *x,
		 struct curl_slist *hdrs, char *errbuf)
{
	CURLcode c = CURLE_OK;

	curl_easy_reset(h);
	c |= curl_easy_setopt(h, CURLOPT_URL, x->req->url);
	c |= curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
	c |= curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	c |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	c |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	c |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	c |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (p->ca_bundle)
		c |= curl_easy_setopt(h, CURLOPT_CAINFO, p->ca_bundle);
	c |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, p->connect_timeout);
	c |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, p->low_speed_limit);
	c |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, p->low_speed_time *
			      (x->req->slow_reply ? HTTP_SLOW_REPLY_FACTOR : 1));
	c |= curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	c |= curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024);
	c |= curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
	c |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	c |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	c |= curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	c |= curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	c |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	c |= curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	c |= curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	c |= curl_easy_setopt(h, CURLOPT_READDATA, x);
	c |= curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
	c |= curl_easy_setopt(h, CURLOPT_SEEKDATA, x);
	if (c != CURLE_OK || set_method(h, x->req))
		return AV_EINVAL;
	return 0;
}

/* "Name: value" for each header, plus empty Expect/Accept/Content-Type
 * entries that stop curl from adding its own. */
static int build_headers(const struct http_request *q, struct curl_slist **out)
{
	struct curl_slist *l = NULL, *t;
	struct buf line = BUF_INIT;
	int ctype = 0, rc = 0;
	size_t i;

	for (i = 0; i < q->nheaders && !rc; i++) {
		ctype |= strcasecmp(q->headers[i].name, "content-type") == 0;
		buf_reset(&line);
		if ((rc = buf_addf(&line, "%s: %s", q->headers[i].name, q->headers[i].value)))
			break;
		if (!(t = curl_slist_append(l, line.ptr)))
			rc = AV_ENOMEM;
		else
			l = t;
	}
	if (!rc && !(t = curl_slist_append(l, "Expect:")))
		rc = AV_ENOMEM;
	else if (!rc)
		l = t;
	if (!rc && !ctype && !(t = curl_slist_append(l, "Content-Type:")))
		rc = AV_ENOMEM;
	else if (!rc && !ctype)
		l = t;
	buf_release(&line);
	if (rc)
		curl_slist_free_all(l);
	else
		*out = l;
	return rc;
}

static int translate(CURLcode c)
{
	switch (c) {
	case CURLE_OK:
		return 0;
	case CURLE_OPERATION_TIMEDOUT:
		return AV_ETIMEOUT;
	case CURLE_OUT_OF_MEMORY:
		return AV_ENOMEM;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
		return AV_ETLS;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return AV_ECONFIG;
	default:
		return AV_ENET;
	}
}

int http_do(struct http_pool *p, const struct http_request *req,
	    struct http_response *resp)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	struct xfer x = { req, resp, 0 };
	CURL *h = NULL;
	CURLcode c;
	int rc;

	http_response_reset(resp);
	if ((rc = build_headers(req, &hdrs)) != 0)
		return rc;
	if (!(h = pool_take(p))) {
		rc = AV_ENOMEM;
		goto out;
	}
	if ((rc = setup(p, h, &x, hdrs, errbuf)) != 0)
		goto out;
	msg_debug("> %s %s", req->method, req->url);
	c = curl_easy_perform(h);
	if (resp->sink_error && (c == CURLE_WRITE_ERROR || c == CURLE_ABORTED_BY_CALLBACK ||
				 c == CURLE_READ_ERROR))
		rc = resp->sink_error;
	else if ((rc = translate(c)) != 0)
		buf_sets(&resp->error, errbuf[0] ? errbuf : curl_easy_strerror(c));
	if (rc)
		msg_debug("< %s %s: %s", req->method, req->url,
			  resp->error.len ? resp->error.ptr : error_message(rc));
	else
		msg_debug("< %ld (%llu bytes)", resp->status, (unsigned long long)
			  (resp->received + resp->body.len));
out:
	if (h)
		pool_give(p, h, rc == 0);
	curl_slist_free_all(hdrs);
	return rc;
}

int http_parse_date(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *end != '\0')
		return AV_EINVAL;
	*out = timegm(&tm);
	return 0;
}
