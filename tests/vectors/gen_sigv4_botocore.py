#!/usr/bin/env python3
"""Generates tests/vectors/sigv4/botocore.json: S3 requests signed by botocore.

Each vector is a request as botocore's own S3 client builds and signs it
(real key encoding, query serialisation and headers, captured just before
it would be sent), with a fixed clock, plus presigned URLs and a few
requests to a generic service (path normalisation, double encoding).
test_sigv4_botocore.c feeds the inputs to our signer and compares the
canonical request, the Authorization header and the presigned URL.

Usage: python3 tests/vectors/gen_sigv4_botocore.py > tests/vectors/sigv4/botocore.json
Needs botocore (pip, or Debian's python3-botocore); `make check` does not.

The script checks its own assumptions: that botocore's S3 signer used the
key path encoded once and not normalised (for "//", "./", "../" keys), and
that the canonical request's path equals the path sent.
"""
import datetime
import json
import logging
import os
import sys
import types
from urllib.parse import quote, unquote, urlsplit

for var in list(os.environ):
    if var.startswith("AWS_"):
        del os.environ[var]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

import botocore  # noqa: E402
import botocore.auth  # noqa: E402
import botocore.session  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

AK = "AKIAIOSFODNN7EXAMPLE"
SK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = ("IQoJb3JpZ2luX2VjEA0aCXVzLWVhc3QtMSJHMEUCIQD/+example=="
         "/session+token/with=odd&chars")
MINIO = "http://127.0.0.1:9000"
NOW = [datetime.datetime(2024, 5, 15, 12, 34, 56)]


def fixed_now(*_args, **_kwargs):
    return NOW[0]


# Freeze botocore's clock, whichever way this version reads it.
if hasattr(botocore.auth, "get_current_datetime"):
    botocore.auth.get_current_datetime = fixed_now
else:
    class FixedDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return NOW[0]
    botocore.auth.datetime = types.SimpleNamespace(
        datetime=FixedDatetime, timedelta=datetime.timedelta)


class Capture(logging.Handler):
    """Keeps the canonical request botocore logs before signing."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.canonical = None

    def emit(self, record):
        if record.msg.startswith("CanonicalRequest"):
            self.canonical = record.args[0] if record.args else None


CAPTURE = Capture()
logging.getLogger("botocore.auth").addHandler(CAPTURE)
logging.getLogger("botocore.auth").setLevel(logging.DEBUG)


class Sent(Exception):
    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def stop_before_send(request, **_kwargs):
    raise Sent(request)


def client(endpoint=None, region="us-east-1", style="path", token=None):
    cfg = {"signature_version": "s3v4", "s3": {"addressing_style": style},
           "retries": {"max_attempts": 1}}
    try:
        conf = Config(request_checksum_calculation="when_required", **cfg)
    except TypeError:   # botocore before 1.36
        conf = Config(**cfg)
    c = botocore.session.get_session().create_client(
        "s3", region_name=region, endpoint_url=endpoint,
        aws_access_key_id=AK, aws_secret_access_key=SK,
        aws_session_token=token, config=conf)
    c.meta.events.register("before-send.s3", stop_before_send)
    return c


def decoded_query(query, drop_auth=False):
    out = []
    for part in query.split("&") if query else []:
        name, _, value = part.partition("=")
        name, value = unquote(name), unquote(value)
        if drop_auth and name.startswith("X-Amz-"):
            continue
        out.append([name, value])
    return out


def signing_headers(req, canonical):
    """The headers botocore had when it signed: Host (which its HTTP layer
    sends), the signed ones, and the never-signed ones present
    (User-Agent, Expect).  Headers it adds after signing
    (amz-sdk-invocation-id, amz-sdk-request, Content-Length) are left out:
    they are not part of what was signed."""
    signed_list = canonical.split("\n")[-2].split(";")
    never = getattr(botocore.auth, "SIGNED_HEADERS_BLACKLIST", [])
    out = [["Host", botocore.auth._host_from_url(req.url)]]
    for k, v in req.headers.items():
        if k.lower() in signed_list or k.lower() in never:
            if k.lower() not in ("authorization", "host"):
                out.append([k, header_str(v)])
    return out


def header_str(v):
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def check_path(name, url, path, canonical):
    """S3 rules: the canonical path is the decoded path encoded once."""
    wire = urlsplit(url).path
    want = quote(path.encode("utf-8"), safe="/~")
    if wire != want or canonical.split("\n")[1] != want:
        sys.exit(f"{name}: botocore did not sign {want!r} (sent {wire!r})")
    if unquote(wire) != path:
        sys.exit(f"{name}: {wire!r} does not decode to {path!r}")


def base(name, region, token):
    return {"name": name, "region": region, "service": "s3",
            "time": NOW[0].strftime("%Y%m%dT%H%M%SZ"),
            "access_key": AK, "secret_key": SK, "session_token": token,
            "normalize": False, "double_encode": False}


def signed(name, op, params, path, endpoint=MINIO, region="us-east-1",
           style="path", token=None):
    c = client(endpoint, region, style, token)
    CAPTURE.canonical = None
    try:
        getattr(c, op)(**params)
        sys.exit(f"{name}: request was not captured")
    except Sent as s:
        req = s.request
    headers = signing_headers(req, CAPTURE.canonical)
    check_path(name, req.url, path, CAPTURE.canonical)
    v = base(name, region, token)
    v.update({"kind": "header", "method": req.method, "path": path,
              "query": decoded_query(urlsplit(req.url).query),
              "headers": headers,
              "payload_hash": header_str(req.headers["X-Amz-Content-SHA256"]),
              "url": req.url, "canonical_request": CAPTURE.canonical,
              "authorization": header_str(req.headers["Authorization"])})
    return v


def presigned(name, op, params, path, expires, endpoint=MINIO,
              region="us-east-1", style="path", token=None):
    c = client(endpoint, region, style, token)
    CAPTURE.canonical = None
    url = c.generate_presigned_url(op, Params=params, ExpiresIn=expires)
    check_path(name, url, path, CAPTURE.canonical)
    signed_headers = dict(decoded_query(urlsplit(url).query))[
        "X-Amz-SignedHeaders"]
    if signed_headers != "host":
        sys.exit(f"{name}: presigned url signs {signed_headers}")
    v = base(name, region, token)
    v.update({"kind": "presign",
              "method": "PUT" if op.startswith("put") else "GET",
              "path": path,
              "query": decoded_query(urlsplit(url).query, drop_auth=True),
              "headers": [["host", urlsplit(url).netloc]],
              "payload_hash": "UNSIGNED-PAYLOAD", "expires": expires,
              "url": url, "canonical_request": CAPTURE.canonical})
    return v


def rule(name, method, path, query, headers=(), body=b""):
    """An S3 request given as its parts (decoded path, decoded query
    parameters in the order sent, repeats allowed), signed by botocore's
    S3SigV4Auth: botocore encodes each name and value and sorts them by
    name, then by value.  These pin the rules no client operation
    exercises (repeated names, empty values, every reserved character)."""
    creds = Credentials(AK, SK)
    wire = quote(path.encode("utf-8"), safe="/~")
    url = MINIO + wire
    if query:
        url += "?" + "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                              for k, v in query)
    req = AWSRequest(method=method, url=url, headers=dict(headers),
                     data=body, params=[tuple(q) for q in query])
    CAPTURE.canonical = None
    botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
    check_path(name, url, path, CAPTURE.canonical)
    v = base(name, "us-east-1", None)
    v.update({"kind": "rule", "method": method, "path": path,
              "query": [list(q) for q in query],
              "headers": signing_headers(req, CAPTURE.canonical),
              "payload_hash": header_str(req.headers["X-Amz-Content-SHA256"]),
              "url": url, "canonical_request": CAPTURE.canonical,
              "authorization": header_str(req.headers["Authorization"])})
    return v


RESERVED = "!#$&'()*+,/:;=?@[]% \"%<>^`{|}"
RULES = [
    # repeated names: sorted by name, then by value (given in reverse)
    ("repeated-names", "GET", "/bucket",
     [["a", "3"], ["a", "20"], ["a", "1"], ["b", "x"], ["a", ""]]),
    ("repeated-names-values-need-encoding", "GET", "/bucket",
     [["tag", "z z"], ["tag", "a+b"], ["tag", "a b"], ["tag", "a%2Bb"],
      ["tag", "A"]]),
    ("empty-values", "GET", "/bucket",
     [["prefix", ""], ["delimiter", ""], ["list-type", "2"], ["uploads", ""]]),
    ("reserved-in-names-and-values", "GET", "/bucket",
     [[RESERVED, RESERVED], ["k" + RESERVED, "-_.~"], ["-_.~", "v"]]),
    ("every-reserved-char-in-key", "PUT", "/bucket/" + RESERVED + "-_.~end", []),
    ("case-sensitive-sort", "GET", "/bucket",
     [["b", "1"], ["A", "2"], ["a", "3"], ["B", "4"], ["X-Amz-Foo", "5"],
      ["x-amz-foo", "6"]]),
    ("sort-by-encoded-name", "GET", "/bucket",
     [["a~", "1"], ["a\u00e9", "2"], ["a b", "3"], ["a-b", "4"], ["a_b", "5"],
      ["a.b", "6"], ["a%b", "7"]]),
    ("unicode-names-and-values", "GET", "/bucket",
     [["\u65e5\u672c", "\u8a9e"], ["pr\u00e9fixe", "\u00e9t\u00e9/\U0001f40d"]]),
    ("unicode-key", "GET", "/bucket/\u00e9t\u00e9/\u65e5\u672c\u8a9e/\U0001f40d.tar.zst",
     []),
    ("plus-percent2b-space-in-key", "GET", "/bucket/a+b/a%2Bb/a b/a%20b", []),
    ("plus-percent2b-space-in-query", "GET", "/bucket",
     [["prefix", "a+b"], ["marker", "a%2Bb"], ["start-after", "a b"],
      ["x", "+ %2B%20"]]),
    ("trailing-slash-key", "PUT", "/bucket/dir/", []),
    ("double-slash-key", "GET", "/bucket//lead//mid//trail//", []),
    ("dot-segments-key", "GET", "/bucket/./a/../b/.", []),
    ("upload-part-query", "PUT", "/bucket/big file",
     [["uploadId", "VXBs+b2Fk/SUQ="], ["partNumber", "10"]]),
]


def generic(name, method, wire_path, query, headers, body=b""):
    """SigV4Auth for a non-S3 service: normalises, then encodes again."""
    creds = Credentials(AK, SK)
    url = "https://example.amazonaws.com" + wire_path
    if query:
        url += "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}"
                              for k, v in query)
    req = AWSRequest(method=method, url=url, headers=dict(headers),
                     data=body)
    CAPTURE.canonical = None
    botocore.auth.SigV4Auth(creds, "service", "us-east-1").add_auth(req)
    v = base(name, "us-east-1", None)
    v.update({"kind": "generic", "service": "service", "normalize": True,
              "double_encode": True, "method": method,
              "path": unquote(wire_path), "query": [list(q) for q in query],
              "headers": signing_headers(req, CAPTURE.canonical),
              "payload_hash": botocore.auth.sha256(body).hexdigest(),
              "url": url, "canonical_request": CAPTURE.canonical,
              "authorization": header_str(req.headers["Authorization"])})
    return v


KEYS = [
    "plain.txt",
    "dir/with space.txt",
    "a+b=c@d.txt",
    "100%/pct%20literal",
    "tilde~and!'()*.txt",
    "unicod\u00e9/\u65e5\u672c\u8a9e/\u30d5\u30a1\u30a4\u30eb.tar.gz",
    "double//slash//",
    "./dot/./seg/.",
    "../up/../x/..",
    "q?uery#frag&amp;semi;co:lo,n$[x]{y}|^`\"<>\\",
    "tab\there",
    "heroku-22/runtimes/python-3.12.3.tar.gz",
    ("long key/" * 112 + "end-1000")[:1000],
]
UPLOAD_ID = "VXBsb2FkIElE/Zm9y+ZWxi=dmlu Zw.-_~"
SHA = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
SHA_B64 = "LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564="
TOKEN_CT = "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=+rest/x"


def vectors():
    out = []
    for i, key in enumerate(KEYS):
        out.append(signed(f"get-key-{i}", "get_object",
                          {"Bucket": "bucket", "Key": key},
                          f"/bucket/{key}"))
    out.append(signed("get-range", "get_object",
                      {"Bucket": "bucket", "Key": "r.bin",
                       "Range": "bytes=0-9"}, "/bucket/r.bin"))
    for i, key in enumerate(KEYS[1:6]):
        out.append(signed(f"head-virtual-{i}", "head_object",
                          {"Bucket": "archives", "Key": key}, f"/{key}",
                          endpoint=None, region="eu-west-1",
                          style="virtual"))
    out.append(signed("head-dotted-bucket-path", "head_object",
                      {"Bucket": "my.dotted.bucket", "Key": "k"},
                      "/my.dotted.bucket/k", endpoint=None,
                      region="us-west-2", style="path"))
    body = b"foo"
    put = {"Bucket": "bucket", "Body": body, "ContentType":
           "application/zstd", "Metadata": {"sha256": SHA,
                                            "Spaced-Name": "  a   b  "}}
    out.append(signed("put-plain", "put_object",
                      dict(put, Key="python-3.12.3-ubuntu-22.04-amd64.tar.zst"),
                      "/bucket/python-3.12.3-ubuntu-22.04-amd64.tar.zst"))
    out.append(signed("put-checksum", "put_object",
                      dict(put, Key="dir/with space.tar.zst",
                           ChecksumSHA256=SHA_B64),
                      "/bucket/dir/with space.tar.zst"))
    out.append(signed("put-storage-class", "put_object",
                      dict(put, Key="sc", StorageClass="REDUCED_REDUNDANCY"),
                      "/bucket/sc"))
    out.append(signed("put-token", "put_object", dict(put, Key="t+k"),
                      "/bucket/t+k", token=TOKEN))
    out.append(signed("put-virtual-token", "put_object",
                      dict(put, Key="a/b c", Bucket="archives"), "/a/b c",
                      endpoint=None, region="ap-southeast-2",
                      style="virtual", token=TOKEN))
    try:
        out.append(signed("put-if-none-match", "put_object",
                          dict(put, Key="nc", IfNoneMatch="*",
                               ChecksumSHA256=SHA_B64), "/bucket/nc"))
    except Exception as e:  # old botocore: no IfNoneMatch parameter
        print(f"skipped put-if-none-match: {e}", file=sys.stderr)
    lists = [
        {"Prefix": "heroku-22/runtimes/", "Delimiter": "/"},
        {"Prefix": "with space/and+plus=", "MaxKeys": 1000},
        {"Prefix": "\u00e9t\u00e9/", "ContinuationToken": TOKEN_CT},
        {"StartAfter": "a b/c", "FetchOwner": True},
        {},
    ]
    for i, extra in enumerate(lists):
        out.append(signed(f"list-v2-{i}", "list_objects_v2",
                          dict(extra, Bucket="bucket"), "/bucket"))
    out.append(signed("list-v2-virtual", "list_objects_v2",
                      {"Bucket": "archives", "Prefix": "a/"}, "/",
                      endpoint=None, region="us-east-2", style="virtual"))
    out.append(signed("mpu-create", "create_multipart_upload",
                      {"Bucket": "bucket", "Key": "big file.tar.zst",
                       "Metadata": {"sha256": SHA},
                       "ChecksumAlgorithm": "SHA256"},
                      "/bucket/big file.tar.zst"))
    out.append(signed("mpu-create-token", "create_multipart_upload",
                      {"Bucket": "bucket", "Key": "../x"}, "/bucket/../x",
                      token=TOKEN))
    for n in (1, 10000):
        out.append(signed(f"mpu-part-{n}", "upload_part",
                          {"Bucket": "bucket", "Key": "big file.tar.zst",
                           "PartNumber": n, "UploadId": UPLOAD_ID,
                           "Body": b"part data " * n},
                          "/bucket/big file.tar.zst"))
    out.append(signed("mpu-complete", "complete_multipart_upload",
                      {"Bucket": "bucket", "Key": "big file.tar.zst",
                       "UploadId": UPLOAD_ID,
                       "MultipartUpload": {"Parts": [
                           {"ETag": "\"etag1\"", "PartNumber": 1}]}},
                      "/bucket/big file.tar.zst"))
    out.append(signed("mpu-abort", "abort_multipart_upload",
                      {"Bucket": "bucket", "Key": "big file.tar.zst",
                       "UploadId": UPLOAD_ID}, "/bucket/big file.tar.zst"))
    out.append(signed("delete", "delete_object",
                      {"Bucket": "bucket", "Key": "del ete"},
                      "/bucket/del ete"))
    NOW[0] = datetime.datetime(2030, 12, 31, 23, 59, 59)
    for i, (key, exp, tok) in enumerate([
            (KEYS[1], 1, None), (KEYS[5], 3600, TOKEN),
            (KEYS[6], 604800, None), (KEYS[8], 900, None),
            (KEYS[12], 86400, TOKEN), (KEYS[9], 60, None)]):
        out.append(presigned(f"presign-get-{i}", "get_object",
                             {"Bucket": "bucket", "Key": key},
                             f"/bucket/{key}", exp, token=tok))
    out.append(presigned("presign-get-virtual", "get_object",
                         {"Bucket": "archives", "Key": KEYS[2]},
                         f"/{KEYS[2]}", 3600, endpoint=None,
                         region="eu-central-1", style="virtual"))
    out.append(presigned("presign-get-versioned", "get_object",
                         {"Bucket": "bucket", "Key": "v",
                          "VersionId": "3/L4kqtJl40Nr8X8gdRQBpUMLUo+a=b",
                          "ResponseContentDisposition":
                          "attachment; filename=\"x y.tgz\""},
                         "/bucket/v", 300))
    out.append(presigned("presign-put", "put_object",
                         {"Bucket": "bucket", "Key": "up load"},
                         "/bucket/up load", 600))
    NOW[0] = datetime.datetime(2015, 8, 30, 12, 36, 0)
    for name, method, path, query in RULES:
        out.append(rule("rule-" + name, method, path, query))
    out.append(generic("generic-space", "GET", "/example%20space/", [],
                       {}))
    out.append(generic("generic-percent", "GET", "/a%25b/c%2Bd", [["q", "x y"]],
                       {}))
    out.append(generic("generic-dots", "GET", "/a/./b/../c//d/", [], {}))
    out.append(generic("generic-relative", "GET", "/x/y/../..", [], {}))
    out.append(generic("generic-post", "POST", "/ca%C3%B1%C3%B3n/./v",
                       [["Action", "ListUsers"], ["Version", "2010-05-08"]],
                       {"Content-Type": "application/x-www-form-urlencoded",
                        "X-Amz-Meta-Thing": "  a  b  "}, b"Param1=value1"))
    return out


def main():
    vs = vectors()
    doc = {"generator": "tests/vectors/gen_sigv4_botocore.py",
           "botocore": botocore.__version__, "vectors": vs}
    json.dump(doc, sys.stdout, indent=1, ensure_ascii=True)
    sys.stdout.write("\n")
    print(f"{len(vs)} vectors, botocore {botocore.__version__}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
