/* atomicfile: temporary file beside the destination, fsync, rename, fsync
 * the directory (see atomicfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archivist/atomicfile.h"
#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/sink.h"
#include "tmpguard.h"

int atomic_file_open(struct atomic_file *f, const char *path)
{
	mode_t mask = umask(0);
	int rc;

	umask(mask);
	f->fd = -1;
	f->path = path;
	buf_init(&f->tmp, 0);
	if ((rc = buf_addf(&f->tmp, "%s.archivist-XXXXXX", path)) != 0) {
		buf_release(&f->tmp);
		return rc;
	}
	if ((f->fd = tmpguard_mkstemp(f->tmp.ptr, O_CLOEXEC)) < 0) {
		msg_error("cannot create a file beside '%s': %s", path, strerror(errno));
		buf_release(&f->tmp);
		return AV_EIO;
	}
	fchmod(f->fd, 0666 & ~mask);	/* mkstemp makes 0600 */
	return 0;
}

/* The rename itself is durable only once the directory is synced: best
 * effort, the file is complete either way. */
static void sync_dir(const char *path)
{
	char *dir = strdup(path);
	int dfd;

	if (dir && (dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
}

int atomic_file_commit(struct atomic_file *f)
{
	int fd = f->fd;

	f->fd = -1;
	if (fsync(fd) != 0 || close(fd) != 0) {
		msg_error("cannot write '%s': %s", f->path, strerror(errno));
		atomic_file_abort(f);
		return AV_EIO;
	}
	if (rename(f->tmp.ptr, f->path) != 0) {
		msg_error("cannot rename '%s' to '%s': %s", f->tmp.ptr, f->path,
			  strerror(errno));
		atomic_file_abort(f);
		return AV_EIO;
	}
	tmpguard_clear();
	buf_release(&f->tmp);
	sync_dir(f->path);
	return 0;
}

void atomic_file_abort(struct atomic_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp.len) {
		unlink(f->tmp.ptr);
		tmpguard_clear();
	}
	buf_release(&f->tmp);
}

int atomic_file_write(const char *path, const void *data, size_t n)
{
	struct atomic_file f;
	struct sink_fd sf;
	int rc;

	if ((rc = atomic_file_open(&f, path)) != 0)
		return rc;
	sf.fd = f.fd;
	sf.name = path;
	if ((rc = sink_fd_write(&sf, data, n)) != 0) {
		atomic_file_abort(&f);
		return rc;
	}
	return atomic_file_commit(&f);
}
