/* util_http: a scripted HTTP server for unit tests (see util_http.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "util_http.h"

/* Reads one request (headers, then a Content-Length body).  0 at EOF. */
static int read_request(int fd, char *out, size_t max)
{
	size_t n = 0;
	char *cl, c;
	long body;

	while (n + 1 < max) {
		if (read(fd, out + n, 1) != 1)
			return 0;
		out[++n] = '\0';
		if (n >= 4 && memcmp(out + n - 4, "\r\n\r\n", 4) == 0)
			break;
	}
	cl = strcasestr(out, "\r\ncontent-length:");
	body = cl ? strtol(cl + 17, NULL, 10) : 0;
	while (body-- > 0)
		if (read(fd, &c, 1) != 1)
			return 0;
	return 1;
}

static void *serve(void *arg)
{
	struct script *s = arg;
	const char *r;
	int fd;

	while (s->nrequests < s->nreplies && (fd = accept(s->lfd, NULL, NULL)) >= 0) {
		while (s->nrequests < s->nreplies &&
		       read_request(fd, s->requests[s->nrequests], sizeof(s->requests[0]))) {
			r = s->replies[s->nrequests++];
			if (strcmp(r, "CLOSE") == 0)
				break;
			if (write(fd, r + (*r == '!'), strlen(r + (*r == '!'))) < 0 || *r == '!')
				break;
		}
		close(fd);
	}
	return NULL;
}

int script_start(struct script *s)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s->lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) || listen(s->lfd, 8) ||
	    getsockname(s->lfd, (struct sockaddr *)&a, &len)) {
		close(s->lfd);
		return -1;
	}
	s->port = ntohs(a.sin_port);
	return pthread_create(&s->thread, NULL, serve, s) ? -1 : 0;
}

void script_stop(struct script *s)
{
	shutdown(s->lfd, SHUT_RDWR);
	close(s->lfd);
	pthread_join(s->thread, NULL);
}

const char *script_reply(char *out, size_t max, const char *status,
			 const char *headers, const char *body)
{
	snprintf(out, max, "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\n\r\n%s", status,
		 headers, strlen(body), body);
	return out;
}
