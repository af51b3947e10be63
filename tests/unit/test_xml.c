/*
 * Unit tests for xml: S3 reply documents (the samples are the AWS S3 API
 * reference's own examples), hostile documents, and the one body built.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "s3/xml.h"

/* ListObjectsV2, first page of a truncated listing (S3 API reference). */
static const char list_page1[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
	"  <Name>bucket</Name>\n"
	"  <Prefix></Prefix>\n"
	"  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>\n"
	"  <KeyCount>2</KeyCount>\n"
	"  <MaxKeys>2</MaxKeys>\n"
	"  <IsTruncated>true</IsTruncated>\n"
	"  <Contents>\n"
	"    <Key>happyface.jpg</Key>\n"
	"    <LastModified>2014-11-21T19:40:05.000Z</LastModified>\n"
	"    <ETag>&quot;70ee1738b6b21e2c8a43f3a5ab0eee71&quot;</ETag>\n"
	"    <Size>11</Size>\n"
	"    <StorageClass>STANDARD</StorageClass>\n"
	"  </Contents>\n"
	"  <Contents>\n"
	"    <Key>my-image.jpg</Key>\n"
	"    <LastModified>2009-10-12T17:50:30.000Z</LastModified>\n"
	"    <ETag>\"fba9dede5f27731c9771645a39863328\"</ETag>\n"
	"    <Size>434234</Size>\n"
	"    <StorageClass>STANDARD</StorageClass>\n"
	"  </Contents>\n"
	"</ListBucketResult>\n";

/* A delimited, URL-encoded page (as S3 answers encoding-type=url). */
static const char list_encoded[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	"<Name>b</Name><Prefix>dir%2F</Prefix><KeyCount>2</KeyCount>"
	"<MaxKeys>1000</MaxKeys><Delimiter>%2F</Delimiter>"
	"<IsTruncated>false</IsTruncated>"
	"<Contents><Key>dir/a+b%2Bc%3D%40%25%7E%E2%82%AC</Key>"
	"<LastModified>2024-05-01T12:00:00.123Z</LastModified>"
	"<ETag>&quot;x&quot;</ETag><Size>0</Size></Contents>"
	"<CommonPrefixes><Prefix>dir/sub%20dir/</Prefix></CommonPrefixes>"
	"<EncodingType>url</EncodingType>"
	"</ListBucketResult>";

/* Error document (S3 API reference, "Error responses"). */
static const char error_doc[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Error>\n"
	"  <Code>NoSuchKey</Code>\n"
	"  <Message>The resource you requested does not exist</Message>\n"
	"  <Resource>/mybucket/myfoto.jpg</Resource>\n"
	"  <RequestId>4442587FB7D0A2F9</RequestId>\n"
	"</Error>\n";

/* CompleteMultipartUpload: success, and the 200-with-Error case. */
static const char complete_ok[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<CompleteMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
	"  <Location>http://Example-Bucket.s3.us-east-1.amazonaws.com/Example-Object</Location>\n"
	"  <Bucket>Example-Bucket</Bucket>\n"
	"  <Key>Example-Object</Key>\n"
	"  <ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag>\n"
	"</CompleteMultipartUploadResult>\n";

static const char complete_err[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Error>\n"
	"<Code>InternalError</Code>\n"
	"<Message>We encountered an internal error. Please try again.</Message>\n"
	"<RequestId>656c76696e6727732072657175657374</RequestId>\n"
	"<HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>\n"
	"</Error>\n";

static const char initiate_doc[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
	"  <Bucket>example-bucket</Bucket>\n"
	"  <Key>example-object</Key>\n"
	"  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>\n"
	"</InitiateMultipartUploadResult>\n";

static const char uploads_doc[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
	"  <Bucket>bucket</Bucket>\n"
	"  <KeyMarker></KeyMarker>\n"
	"  <UploadIdMarker></UploadIdMarker>\n"
	"  <NextKeyMarker>my-movie.m2ts</NextKeyMarker>\n"
	"  <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>\n"
	"  <MaxUploads>3</MaxUploads>\n"
	"  <IsTruncated>true</IsTruncated>\n"
	"  <Upload>\n"
	"    <Key>my-divisor</Key>\n"
	"    <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>\n"
	"    <Initiator><ID>arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-9df5-b111111f13de</ID>"
	"<DisplayName>user1-11111a31-17b5-4fb7-9df5-b111111f13de</DisplayName></Initiator>\n"
	"    <StorageClass>REDUCED_REDUNDANCY</StorageClass>\n"
	"    <Initiated>2010-11-10T20:48:33.000Z</Initiated>\n"
	"  </Upload>\n"
	"  <Upload>\n"
	"    <Key>my-movie.m2ts</Key>\n"
	"    <UploadId>VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>\n"
	"    <StorageClass>STANDARD</StorageClass>\n"
	"    <Initiated>2010-11-10T20:48:33.000Z</Initiated>\n"
	"  </Upload>\n"
	"</ListMultipartUploadsResult>\n";

/* Collects what the list callbacks are given. */
struct seen {
	char keys[8][2100];
	uint64_t sizes[8];
	time_t mtimes[8];
	char etags[8][64];
	int n;
	char prefixes[4][256];
	int np;
	int stop_at;
};

static int on_obj(void *ctx, const struct s3_object *o)
{
	struct seen *s = ctx;

	if (s->stop_at && s->n + 1 == s->stop_at)
		return 4242;
	assert_true(s->n < 8);
	snprintf(s->keys[s->n], sizeof(s->keys[0]), "%s", o->key);
	snprintf(s->etags[s->n], sizeof(s->etags[0]), "%s", o->etag);
	s->sizes[s->n] = o->size;
	s->mtimes[s->n] = o->mtime;
	s->n++;
	return 0;
}

static int on_pfx(void *ctx, const char *p)
{
	struct seen *s = ctx;

	assert_true(s->np < 4);
	snprintf(s->prefixes[s->np++], sizeof(s->prefixes[0]), "%s", p);
	return 0;
}

static void test_list_page(void **state)
{
	struct xml_list_page page;
	static struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	xml_list_page_init(&page);
	assert_int_equal(xml_parse_list(list_page1, strlen(list_page1), on_obj, on_pfx,
					&s, &page), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(page.count, 2);
	assert_true(page.truncated);
	assert_string_equal(page.next_token.ptr,
			    "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	assert_string_equal(s.keys[0], "happyface.jpg");
	assert_string_equal(s.etags[0], "\"70ee1738b6b21e2c8a43f3a5ab0eee71\"");
	assert_int_equal(s.sizes[0], 11);
	assert_int_equal(s.mtimes[0], 1416598805);	/* date -d 2014-11-21T19:40:05Z +%s */
	assert_string_equal(s.keys[1], "my-image.jpg");
	assert_int_equal(s.sizes[1], 434234);
	assert_int_equal(s.mtimes[1], 1255369830);
	xml_list_page_release(&page);
}

static void test_list_encoded_and_prefixes(void **state)
{
	struct xml_list_page page;
	static struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	xml_list_page_init(&page);
	assert_int_equal(xml_parse_list(list_encoded, strlen(list_encoded), on_obj,
					on_pfx, &s, &page), 0);
	assert_false(page.truncated);
	assert_int_equal(page.next_token.len, 0);
	/* urllib.parse.unquote_plus gives the same (botocore decodes so). */
	assert_string_equal(s.keys[0], "dir/a b+c=@%~\xe2\x82\xac");
	assert_int_equal(s.sizes[0], 0);
	assert_int_equal(s.np, 1);
	assert_string_equal(s.prefixes[0], "dir/sub dir/");
	xml_list_page_release(&page);
}

static void test_list_callback_stops(void **state)
{
	struct xml_list_page page;
	static struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	xml_list_page_init(&page);
	assert_int_equal(xml_parse_list(list_page1, strlen(list_page1), on_obj, NULL,
					&s, &page), 4242);
	assert_int_equal(s.n, 1);
	xml_list_page_release(&page);
}

static void test_long_key(void **state)
{
	struct xml_list_page page;
	static struct seen s;
	struct buf doc = BUF_INIT;
	char key[2001];

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(key, 'k', 2000);
	key[0] = '/';
	key[2000] = '\0';
	assert_int_equal(buf_addf(&doc, "<ListBucketResult><IsTruncated>false</IsTruncated>"
				  "<Contents><Key>%s</Key><Size>5</Size></Contents>"
				  "</ListBucketResult>", key), 0);
	xml_list_page_init(&page);
	assert_int_equal(xml_parse_list(doc.ptr, doc.len, on_obj, NULL, &s, &page), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(strlen(s.keys[0]), 2000);
	assert_string_equal(s.keys[0], key);
	xml_list_page_release(&page);
	buf_release(&doc);
}

static void test_list_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"not xml",
		"<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a</Key><Size>12x</Size></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"
		"<LastModified>yesterday</LastModified></Contents></ListBucketResult>",
		"<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>a%zz</Key>"
		"<Size>1</Size></Contents></ListBucketResult>",
		"<Error><Code>x</Code></Error>",
		"<ListBucketResult><Contents><Key>a</Key></ListBucketResult>",
	};
	struct xml_list_page page;
	static struct seen s;
	size_t i;

	(void)state;
	xml_list_page_init(&page);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&s, 0, sizeof(s));
		assert_int_equal(xml_parse_list(bad[i], strlen(bad[i]), on_obj, NULL, &s,
						&page), AV_ECORRUPT);
	}
	xml_list_page_release(&page);
}

static void test_error_doc(void **state)
{
	struct xml_error e;

	(void)state;
	xml_error_init(&e);
	assert_int_equal(xml_parse_error(error_doc, strlen(error_doc), &e), 0);
	assert_string_equal(e.code.ptr, "NoSuchKey");
	assert_string_equal(e.message.ptr, "The resource you requested does not exist");
	assert_string_equal(e.resource.ptr, "/mybucket/myfoto.jpg");
	assert_string_equal(e.request_id.ptr, "4442587FB7D0A2F9");
	assert_int_equal(xml_parse_error(list_page1, strlen(list_page1), &e), AV_ECORRUPT);
	xml_error_release(&e);
}

static void test_complete(void **state)
{
	struct buf etag = BUF_INIT;
	struct xml_error e;

	(void)state;
	xml_error_init(&e);
	assert_int_equal(xml_parse_complete(complete_ok, strlen(complete_ok), &etag, &e), 0);
	assert_string_equal(etag.ptr, "\"3858f62230ac3c915f300c664312c11f-9\"");
	buf_reset(&etag);
	/* S3 may answer 200 and still have failed: the body says so. */
	assert_int_equal(xml_parse_complete(complete_err, strlen(complete_err), &etag, &e),
			 AV_ES3);
	assert_string_equal(e.code.ptr, "InternalError");
	assert_string_equal(e.request_id.ptr, "656c76696e6727732072657175657374");
	assert_int_equal(etag.len, 0);
	assert_int_equal(xml_parse_complete(initiate_doc, strlen(initiate_doc), &etag, &e),
			 AV_ECORRUPT);
	buf_release(&etag);
	xml_error_release(&e);
}

static void test_initiate(void **state)
{
	static const char empty_id[] = "<InitiateMultipartUploadResult><UploadId>"
				       "</UploadId></InitiateMultipartUploadResult>";
	struct buf id = BUF_INIT;

	(void)state;
	assert_int_equal(xml_parse_initiate(initiate_doc, strlen(initiate_doc), &id), 0);
	assert_string_equal(id.ptr, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
	buf_reset(&id);
	assert_int_equal(xml_parse_initiate(empty_id, strlen(empty_id), &id), AV_ECORRUPT);
	buf_release(&id);
}

struct up_seen {
	int n;
	char keys[4][64];
	char ids[4][96];
	time_t when[4];
};

static int on_upload(void *ctx, const struct s3_upload *u)
{
	struct up_seen *s = ctx;

	snprintf(s->keys[s->n], sizeof(s->keys[0]), "%s", u->key);
	snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", u->upload_id);
	s->when[s->n++] = u->initiated;
	return 0;
}

static void test_uploads(void **state)
{
	struct xml_uploads_page page;
	struct up_seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	xml_uploads_page_init(&page);
	assert_int_equal(xml_parse_uploads(uploads_doc, strlen(uploads_doc), on_upload, &s,
					   &page), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.keys[0], "my-divisor");
	assert_string_equal(s.ids[0], "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw");
	assert_int_equal(s.when[0], 1289422113);
	assert_string_equal(s.keys[1], "my-movie.m2ts");
	assert_true(page.truncated);
	assert_string_equal(page.next_key_marker.ptr, "my-movie.m2ts");
	assert_string_equal(page.next_upload_id_marker.ptr,
			    "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ");
	xml_uploads_page_release(&page);
}

/* Documents a hostile server could send: all refused, none expanded. */
static void test_hostile_documents(void **state)
{
	static const char *const bad[] = {
		/* billion laughs */
		"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
		"<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
		"<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
		"<Error><Code>&lol3;</Code></Error>",
		/* external entity */
		"<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<Error><Code>&x;</Code></Error>",
		/* external DTD */
		"<?xml version=\"1.0\"?><!DOCTYPE Error SYSTEM \"http://127.0.0.1:1/x.dtd\">"
		"<Error><Code>x</Code></Error>",
		/* undeclared entity */
		"<Error><Code>&x;</Code></Error>",
	};
	struct xml_error e;
	size_t i;

	(void)state;
	xml_error_init(&e);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(xml_parse_error(bad[i], strlen(bad[i]), &e), AV_ECORRUPT);
		assert_int_equal(e.code.len, 0);
	}
	xml_error_release(&e);
}

static void test_huge_document(void **state)
{
	struct xml_error e;
	size_t n = XML_DOC_MAX + 1;
	char *doc = malloc(n);

	(void)state;
	assert_non_null(doc);
	memset(doc, ' ', n);
	memcpy(doc, "<Error><Code>x</Code>", 21);
	memcpy(doc + n - 8, "</Error>", 8);
	xml_error_init(&e);
	assert_int_equal(xml_parse_error(doc, n, &e), AV_ECORRUPT);
	/* The same document under the cap is fine. */
	memcpy(doc + n - 9, "</Error> ", 9);
	assert_int_equal(xml_parse_error(doc, n - 1, &e), 0);
	assert_string_equal(e.code.ptr, "x");
	xml_error_release(&e);
	free(doc);
}

static void test_build_complete(void **state)
{
	static const struct xml_part parts[] = {
		{ 1, "\"a54357aff0632cce46d942af68356b38\"", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=" },
		{ 2, "\"0c78aef83f66abc1fa1e8477f296d394\"", NULL },
	};
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(xml_build_complete(&b, parts, 2), 0);
	assert_string_equal(b.ptr,
		"<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
		"<Part><PartNumber>1</PartNumber><ETag>&quot;a54357aff0632cce46d942af68356b38&quot;"
		"</ETag><ChecksumSHA256>n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=</ChecksumSHA256>"
		"</Part><Part><PartNumber>2</PartNumber><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394"
		"&quot;</ETag></Part></CompleteMultipartUpload>");
	buf_release(&b);
}

static void test_time_and_decode(void **state)
{
	struct buf b = BUF_INIT;
	time_t t;

	(void)state;
	assert_int_equal(xml_parse_time("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(xml_parse_time("2024-02-29T23:59:59.999Z", &t), 0);
	assert_int_equal(t, 1709251199);
	assert_int_equal(xml_parse_time("2024-02-29 23:59:59", &t), AV_EINVAL);
	assert_int_equal(xml_parse_time("2024-02-29T23:59:59+02:00", &t), AV_EINVAL);
	assert_int_equal(xml_url_decode("a%2fb%2Fc+d%25", &b), 0);
	assert_string_equal(b.ptr, "a/b/c d%");
	buf_reset(&b);
	assert_int_equal(xml_url_decode("bad%4", &b), AV_ECORRUPT);
	/* An encoded NUL would cut the key short: "a%00b" is not "a". */
	buf_reset(&b);
	assert_int_equal(xml_url_decode("a%00b", &b), AV_ECORRUPT);
	buf_release(&b);
}

/* STS replies, as the AWS documentation shows them. */
static void test_sts(void **state)
{
	static const char ok[] =
		"<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
		"<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>s"
		"</SubjectFromWebIdentityToken><Credentials>"
		"<SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>"
		"<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>"
		"<Expiration>2014-10-24T23:00:23Z</Expiration>"
		"<AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId></Credentials>"
		"</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r"
		"</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>";
	static const char no_token[] =
		"<AssumeRoleResponse><AssumeRoleResult><Credentials>"
		"<SecretAccessKey>S</SecretAccessKey><Expiration>2014-10-24T23:00:23Z"
		"</Expiration><AccessKeyId>A</AccessKeyId></Credentials>"
		"</AssumeRoleResult></AssumeRoleResponse>";
	static const char err[] =
		"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
		"<Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
		"<Message>No OpenIDConnect provider found</Message></Error>"
		"<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>";
	static const char doctype[] =
		"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
		"<AssumeRoleResponse>&e;</AssumeRoleResponse>";
	struct xml_sts_creds c;
	struct xml_error e;

	(void)state;
	xml_sts_creds_init(&c);
	assert_int_equal(xml_parse_sts(ok, strlen(ok), "AssumeRoleWithWebIdentity", &c), 0);
	assert_string_equal(c.access_key.ptr, "ASgeIAIOSFODNN7EXAMPLE");
	assert_string_equal(c.secret_key.ptr, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
	assert_string_equal(c.session_token.ptr, "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE");
	assert_int_equal(c.expiration, 1414191623);
	xml_sts_creds_release(&c);
	/* the reply to another action is not accepted */
	assert_int_equal(xml_parse_sts(ok, strlen(ok), "AssumeRole", &c), AV_ECORRUPT);
	xml_sts_creds_release(&c);
	assert_int_equal(xml_parse_sts(no_token, strlen(no_token), "AssumeRole", &c),
			 AV_ECORRUPT);
	xml_sts_creds_release(&c);
	assert_int_equal(xml_parse_sts(ok, strlen(ok) / 2, "AssumeRoleWithWebIdentity", &c),
			 AV_ECORRUPT);
	xml_sts_creds_release(&c);
	assert_int_equal(xml_parse_sts(doctype, strlen(doctype), "AssumeRole", &c),
			 AV_ECORRUPT);
	xml_sts_creds_release(&c);
	xml_error_init(&e);
	assert_int_equal(xml_parse_sts_error(err, strlen(err), &e), 0);
	assert_string_equal(e.code.ptr, "InvalidIdentityToken");
	assert_string_equal(e.message.ptr, "No OpenIDConnect provider found");
	assert_string_equal(e.request_id.ptr, "c6104cbe-af31-11e0-8154-cbc7ccf896c7");
	assert_int_equal(xml_parse_sts_error(ok, strlen(ok), &e), AV_ECORRUPT);
	xml_error_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_page),
		cmocka_unit_test(test_list_encoded_and_prefixes),
		cmocka_unit_test(test_list_callback_stops),
		cmocka_unit_test(test_long_key),
		cmocka_unit_test(test_list_malformed),
		cmocka_unit_test(test_error_doc),
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_initiate),
		cmocka_unit_test(test_uploads),
		cmocka_unit_test(test_hostile_documents),
		cmocka_unit_test(test_huge_document),
		cmocka_unit_test(test_build_complete),
		cmocka_unit_test(test_time_and_decode),
		cmocka_unit_test(test_sts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
