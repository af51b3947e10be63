/* mock_xml: S3 reply text (see mock_xml.h). */
#include <stdio.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/sigv4.h"
#include "archivist/uri.h"
#include "mock_xml.h"

int xml_begin(struct buf *out, const char *root)
{
	return buf_addf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<%s xmlns=\"" XML_S3_NS "\">", root);
}

int xml_escape(struct buf *out, const char *s)
{
	const unsigned char *p;
	int rc = 0;

	for (p = (const unsigned char *)s; *p && !rc; p++) {
		switch (*p) {
		case '&': rc = buf_adds(out, "&amp;"); break;
		case '<': rc = buf_adds(out, "&lt;"); break;
		case '>': rc = buf_adds(out, "&gt;"); break;
		case '"': rc = buf_adds(out, "&quot;"); break;
		case '\'': rc = buf_adds(out, "&apos;"); break;
		default:
			/* S3 writes control characters as character
			 * references too (clients use encoding-type=url). */
			rc = *p < 0x20 ? buf_addf(out, "&#x%X;", *p) :
					 buf_addc(out, (char)*p);
		}
	}
	return rc;
}

int xml_elem(struct buf *out, const char *name, const char *s)
{
	int rc;

	if ((rc = buf_addf(out, "<%s>", name)) || (rc = xml_escape(out, s)))
		return rc;
	return buf_addf(out, "</%s>", name);
}

int xml_elem_u64(struct buf *out, const char *name, unsigned long long n)
{
	return buf_addf(out, "<%s>%llu</%s>", name, n, name);
}

int xml_url_encode(struct buf *out, const char *s)
{
	return uri_encode(out, s, strlen(s), 1);
}

int xml_error_doc(struct buf *out, const char *code, const char *message,
		  const char *resource, const char *request_id)
{
	int rc;

	if ((rc = buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			   "<Error>")) ||
	    (rc = xml_elem(out, "Code", code)) ||
	    (rc = xml_elem(out, "Message", message)) ||
	    (rc = xml_elem(out, "Resource", resource)) ||
	    (rc = xml_elem(out, "RequestId", request_id)))
		return rc;
	return buf_adds(out, "</Error>\n");
}

void xml_time_iso(char out[32], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

void xml_time_http(char out[40], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}
