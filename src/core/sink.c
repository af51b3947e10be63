/* sink: byte sinks (see sink.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/sink.h"

int sink_write(const struct sink *s, const void *data, size_t len)
{
	return len ? s->write(s->ctx, data, len) : 0;
}

int sink_fd_write(void *ctx, const void *data, size_t len)
{
	const struct sink_fd *f = ctx;
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(f->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			msg_error("cannot write %s: %s", f->name,
				  n < 0 ? strerror(errno) : "no progress");
			return AV_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
