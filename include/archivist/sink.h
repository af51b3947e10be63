/*
 * sink: where a stream of bytes goes (a file, an upload, a hash, the next
 * stage of a pipeline).
 *
 * write(ctx, data, len) consumes all len bytes or fails: it returns 0 or
 * an AV_E* code, and reports its own errors (msg_error) with context.
 * data is borrowed for the duration of the call only.  A failed write is
 * final: the producer stops and returns that code.
 */
#ifndef ARCHIVIST_SINK_H
#define ARCHIVIST_SINK_H

#include <stddef.h>

struct sink {
	int (*write)(void *ctx, const void *data, size_t len);
	void *ctx;
};

/* Calls s->write unless len is 0. */
int sink_write(const struct sink *s, const void *data, size_t len);

/* A file descriptor as a sink: ctx is a struct sink_fd (borrowed). */
struct sink_fd {
	int fd;
	const char *name;	/* for messages: "'out.tar.zst'", "stdout" */
};

/* Writes all of data to ((struct sink_fd *)ctx)->fd, retrying short
 * writes and EINTR.  0 or AV_EIO (reported with the name). */
int sink_fd_write(void *ctx, const void *data, size_t len);

#endif
