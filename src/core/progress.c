/* progress: one self-redrawing line on a terminal (see progress.h). */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/progress.h"

/* ~6 redraws a second, like zstd's CLI. */
#define REDRAW_NS 166000000LL

struct progress {
	pthread_mutex_t lock;
	int fd;
	char *label;
	const char *phase;
	uint64_t done, total, out;
	int64_t started_ns, drawn_ns;
	int shown;		/* a line is on the screen */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void progress_human(char out[16], uint64_t bytes)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(out, 16, "%" PRIu64 " B", bytes);
		return;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	/* three significant digits */
	snprintf(out, 16, v < 9.995 ? "%.2f %s" : v < 99.95 ? "%.1f %s" :
		 "%.0f %s", v, unit[u]);
}

static int add_eta(struct buf *b, double seconds)
{
	uint64_t s;

	if (seconds < 0 || seconds > 360000)
		return 0;	/* no meaningful estimate yet */
	s = (uint64_t)(seconds + 0.5);
	if (s >= 3600)
		return buf_addf(b, " ETA %" PRIu64 ":%02u:%02u", s / 3600,
				(unsigned)(s / 60 % 60), (unsigned)(s % 60));
	return buf_addf(b, " ETA %u:%02u", (unsigned)(s / 60), (unsigned)(s % 60));
}

/* Everything after the label. */
static int format_body(struct buf *b, const struct progress_view *v)
{
	char h[16], t[16];
	double speed = v->elapsed > 0 ? (double)v->done / v->elapsed : 0;
	int rc;

	progress_human(h, v->done);
	if (v->phase && (rc = buf_addf(b, "%s ", v->phase)))
		return rc;
	if (v->total) {
		progress_human(t, v->total);
		rc = buf_addf(b, "%s / %s", h, t);
	} else {
		rc = buf_adds(b, h);
	}
	if (rc == 0 && v->out && v->done) {
		progress_human(h, v->out);
		rc = buf_addf(b, " -> %s (%.1f%%)", h,
			      100.0 * (double)v->out / (double)v->done);
	}
	if (rc == 0 && speed > 0) {
		progress_human(h, (uint64_t)speed);
		rc = buf_addf(b, ", %s/s", h);
	}
	if (rc == 0 && speed > 0 && v->total > v->done)
		rc = add_eta(b, (double)(v->total - v->done) / speed);
	return rc;
}

int progress_format(struct buf *out, const struct progress_view *v,
		    size_t width)
{
	struct buf body = BUF_INIT;
	size_t start = out->len, room, ln;
	int rc;

	if ((rc = format_body(&body, v)) != 0)
		goto out;
	ln = v->label ? strlen(v->label) : 0;
	room = width > body.len + 2 ? width - body.len - 2 : 0;
	if (ln && width && ln > room) {
		/* keep the end of the name, where names differ */
		if (room > 3 && (rc = buf_addf(out, "...%s: ", v->label + ln -
					       (room - 3))))
			goto out;
	} else if (ln && (rc = buf_addf(out, "%s: ", v->label))) {
		goto out;
	}
	if ((rc = buf_add(out, body.ptr, body.len)) != 0)
		goto out;
	if (width && out->len - start > width)
		buf_setlen(out, start + width);
out:
	buf_release(&body);
	return rc;
}

static size_t term_width(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return (size_t)ws.ws_col - 1;
	return 79;
}

static void write_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w <= 0)
			return;	/* a display is best effort */
		s += w;
		n -= (size_t)w;
	}
}

/* Draws the line; called with the lock held. */
static void draw(struct progress *p, int64_t now)
{
	struct buf line = BUF_INIT;
	struct progress_view v = { p->label, p->phase, p->done, p->total,
		p->out, (double)(now - p->started_ns) / 1e9 };

	if (buf_addc(&line, '\r') == 0 &&
	    progress_format(&line, &v, term_width(p->fd)) == 0 &&
	    buf_adds(&line, "\033[K") == 0) {
		write_all(p->fd, line.ptr, line.len);
		p->shown = 1;
	}
	p->drawn_ns = now;
	buf_release(&line);
}

static void erase(struct progress *p)
{
	if (p->shown)
		write_all(p->fd, "\r\033[K", 4);
	p->shown = 0;
	p->drawn_ns = 0;	/* redraw at the next update */
}

static void erase_hook(void *ctx)
{
	progress_clear(ctx);
}

struct progress *progress_new(int fd, const char *label)
{
	struct progress *p;

	if (fd < 0 || !(p = calloc(1, sizeof(*p))))
		return NULL;
	if (!(p->label = strdup(label ? label : "")) ||
	    pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p->label);
		free(p);
		return NULL;
	}
	p->fd = fd;
	p->started_ns = now_ns();
	msg_set_hook(erase_hook, p);
	return p;
}

void progress_start(struct progress *p, const char *phase, uint64_t total)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->phase = phase;
	p->total = total;
	p->done = p->out = 0;
	p->started_ns = now_ns();
	draw(p, p->started_ns);
	pthread_mutex_unlock(&p->lock);
}

static void maybe_draw(struct progress *p)
{
	int64_t now = now_ns();

	if (p->drawn_ns == 0 || now - p->drawn_ns >= REDRAW_NS)
		draw(p, now);
}

void progress_update(struct progress *p, uint64_t done, uint64_t out)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->done = done;
	p->out = out;
	maybe_draw(p);
	pthread_mutex_unlock(&p->lock);
}

void progress_add(struct progress *p, uint64_t done, uint64_t out)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->done += done;
	p->out += out;
	maybe_draw(p);
	pthread_mutex_unlock(&p->lock);
}

void progress_clear(struct progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	erase(p);
	pthread_mutex_unlock(&p->lock);
}

void progress_free(struct progress *p)
{
	if (!p)
		return;
	msg_set_hook(NULL, NULL);
	erase(p);
	pthread_mutex_destroy(&p->lock);
	free(p->label);
	free(p);
}
