/* mock_delete: DeleteObjects, POST /BUCKET?delete (see mock_ops.h). */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "archivist/error.h"
#include "mock_ops.h"
#include "mock_server.h"
#include "mock_store.h"
#include "mock_xml.h"

#define MAX_DELETE 1000

/* The text of the first child element called name, or NULL (xmlFree). */
static xmlChar *child_text(xmlNode *n, const char *name)
{
	xmlNode *c;

	for (c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    !strcmp((const char *)c->name, name))
			return xmlNodeGetContent(c);
	return NULL;
}

/* <Delete><Quiet>?</Quiet><Object><Key>K</Key></Object>...</Delete>:
 * the keys into out, *quiet set.  No network, entities or DTD. */
static int parse_delete(const struct buf *body, struct strv *out, int *quiet)
{
	xmlDoc *doc = xmlReadMemory(body->ptr, (int)body->len, NULL, NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR |
					    XML_PARSE_NOWARNING);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL, *c;
	xmlChar *t;
	int rc = root && !strcmp((const char *)root->name, "Delete") ? 0 :
								       AV_EINVAL;

	*quiet = 0;
	for (c = root ? root->children : NULL; c && !rc; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		t = xmlNodeGetContent(c);
		if (!strcmp((const char *)c->name, "Quiet"))
			*quiet = t && !strcmp((const char *)t, "true");
		xmlFree(t);
		if (strcmp((const char *)c->name, "Object"))
			continue;
		t = child_text(c, "Key");
		rc = !t || !*t || out->n == MAX_DELETE ? AV_EINVAL :
			 strv_push(out, (const char *)t);
		xmlFree(t);
	}
	xmlFreeDoc(doc);
	return !rc && out->n == 0 ? AV_EINVAL : rc;
}

void op_delete_objects(struct mock_req *r, struct mock_reply *out)
{
	struct strv keys = STRV_INIT;
	struct buf doc = BUF_INIT;
	size_t i;
	int quiet, rc = 0, gone;

	if (parse_delete(&r->body_mem, &keys, &quiet)) {
		reply_error(r, out, 400, "MalformedXML",
			    "The XML you provided was not well-formed or did "
			    "not validate against our published schema.");
		goto out;
	}
	rc = xml_begin(&doc, "DeleteResult");
	for (i = 0; i < keys.n && !rc; i++) {
		gone = store_obj_delete(r->srv->store, r->bucket, keys.v[i]) == 0;
		if (gone && quiet)
			continue;
		rc = buf_adds(&doc, gone ? "<Deleted>" : "<Error>") ||
		     xml_elem(&doc, "Key", keys.v[i]) ||
		     (!gone && (xml_elem(&doc, "Code", "InternalError") ||
				xml_elem(&doc, "Message", "cannot delete"))) ||
		     buf_adds(&doc, gone ? "</Deleted>" : "</Error>");
	}
	if (rc || buf_adds(&doc, "</DeleteResult>\n"))
		reply_av_error(r, out, AV_ENOMEM, "out of memory");
	else
		reply_xml(out, &doc);
out:
	strv_release(&keys);
	buf_release(&doc);
}
