#!/usr/bin/env python3
"""Checks the mock S3 server with boto3/botocore, a client no one here wrote.

Usage: mock_check.py URL DATA_DIR REQUEST_LOG TMP_DIR

The server must run with --min-part-size 5K --seed 7 and the request log.
Prints one line per check, "ok DESC" or "not ok DESC: DETAIL", then "done";
test_mock.sh turns them into TAP.
"""
import base64
import hashlib
import http.client
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request

import boto3
import botocore
from botocore import UNSIGNED
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

URL, DATA, LOG = sys.argv[1], sys.argv[2], sys.argv[3]
BUCKET = "bkt"
KEY_ID = SECRET = "minioadmin"


def client(key=KEY_ID, secret=SECRET, signed=True, **cfg):
    conf = Config(signature_version="s3v4" if signed else UNSIGNED,
                  s3={"addressing_style": "path"},
                  retries={"total_max_attempts": 1, "mode": "standard"}, **cfg)
    return boto3.client("s3", endpoint_url=URL, aws_access_key_id=key,
                        aws_secret_access_key=secret, region_name="us-east-1",
                        config=conf)


S3 = client()


def check(desc, cond, detail=""):
    print(("ok " if cond else "not ok ") + desc +
          ("" if cond else ": " + str(detail)[:400]), flush=True)


def error_of(fn, *args, **kw):
    """(status, code) of the ClientError fn raises, or None if it succeeds."""
    try:
        fn(*args, **kw)
    except ClientError as e:
        return (e.response["ResponseMetadata"]["HTTPStatusCode"],
                e.response["Error"]["Code"])
    return None


def raises(fn):
    """The exception fn raises (any kind), or None."""
    try:
        fn()
    except Exception as e:  # the client's own exception types vary
        return e
    return None


def b64(raw):
    return base64.b64encode(raw).decode()


def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def get(key, **kw):
    return S3.get_object(Bucket=BUCKET, Key=key, **kw)["Body"].read()


def admin(method, body=b""):
    req = urllib.request.Request(URL + "/_mock/faults", data=body or None,
                                 method=method)
    with urllib.request.urlopen(req) as r:
        return r.read().decode()


def put_if_none_match(s3, key, body):
    """PutObject with If-None-Match: *, natively if this botocore knows it."""
    shape = s3.meta.service_model.operation_model("PutObject").input_shape
    if "IfNoneMatch" in shape.members:
        return s3.put_object(Bucket=BUCKET, Key=key, Body=body, IfNoneMatch="*")

    def add_header(request, **_):
        request.headers["If-None-Match"] = "*"
    s3.meta.events.register_first("before-sign.s3.PutObject", add_header)
    try:
        return s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    finally:
        s3.meta.events.unregister("before-sign.s3.PutObject", add_header)


def raw_signed(method, path, body, payload_hash, headers=None):
    """A request signed by botocore with a chosen x-amz-content-sha256."""
    class Auth(S3SigV4Auth):
        def payload(self, request):
            return payload_hash
    req = AWSRequest(method=method, url=URL + path, data=body,
                     headers=dict(headers or {}))
    req.headers["X-Amz-Content-SHA256"] = payload_hash
    Auth(Credentials(KEY_ID, SECRET), "s3", "us-east-1").add_auth(req)
    u = urllib.parse.urlsplit(URL)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request(method, path, body=body, headers=dict(req.headers.items()))
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data.decode(errors="replace")


# ---- buckets, objects, metadata ----

def test_basics():
    check("create bucket", S3.create_bucket(Bucket=BUCKET)
          ["ResponseMetadata"]["HTTPStatusCode"] == 200)
    check("create it again: 409 BucketAlreadyOwnedByYou",
          error_of(S3.create_bucket, Bucket=BUCKET) ==
          (409, "BucketAlreadyOwnedByYou"))
    check("invalid bucket name refused",
          error_of(S3.create_bucket, Bucket="No_Such")[1] == "InvalidBucketName")
    names = [b["Name"] for b in S3.list_buckets()["Buckets"]]
    check("list buckets", names == [BUCKET], names)
    body = b"hello, mock"
    r = S3.put_object(Bucket=BUCKET, Key="docs/hello.txt", Body=body,
                      ContentType="text/plain", Metadata={"sha256": "abc"})
    check("put: ETag is the MD5", r["ETag"] == '"%s"' % md5_hex(body), r["ETag"])
    h = S3.head_object(Bucket=BUCKET, Key="docs/hello.txt")
    check("head: size, type, metadata",
          (h["ContentLength"], h["ContentType"], h["Metadata"]) ==
          (len(body), "text/plain", {"sha256": "abc"}), h)
    check("get returns the body", get("docs/hello.txt") == body)
    check("the object is a plain file",
          open(os.path.join(DATA, BUCKET, "docs/hello.txt"), "rb").read() == body)
    check("missing key: 404 NoSuchKey",
          error_of(S3.get_object, Bucket=BUCKET, Key="nope") == (404, "NoSuchKey"))
    check("missing bucket: 404 NoSuchBucket",
          error_of(S3.get_object, Bucket="nobucket", Key="k") ==
          (404, "NoSuchBucket"))
    S3.delete_object(Bucket=BUCKET, Key="docs/hello.txt")
    check("delete removes it",
          error_of(S3.head_object, Bucket=BUCKET, Key="docs/hello.txt") ==
          (404, "404"))
    check("delete prunes the empty directory",
          not os.path.exists(os.path.join(DATA, BUCKET, "docs")))


def test_delete_objects():
    for k in ("del/a", "del/b c", "del/../x"):
        S3.put_object(Bucket=BUCKET, Key=k, Body=b"d")
    r = S3.delete_objects(Bucket=BUCKET, Delete={"Objects": [
        {"Key": "del/a"}, {"Key": "del/b c"}, {"Key": "del/missing"}]})
    check("DeleteObjects reports each key deleted",
          sorted(d["Key"] for d in r.get("Deleted", [])) ==
          ["del/a", "del/b c", "del/missing"] and not r.get("Errors"), r)
    r = S3.delete_objects(Bucket=BUCKET, Delete={
        "Objects": [{"Key": "del/../x"}], "Quiet": True})
    left = S3.list_objects_v2(Bucket=BUCKET, Prefix="del/")
    check("quiet DeleteObjects: no entries, keys gone",
          not r.get("Deleted") and left["KeyCount"] == 0, (r, left))


def test_special_keys():
    keys = ["sp ace", "plus+sign", "eq=ual&amp", "at@host", "pct%25%", "tilde~",
            "bang!'()*", "uni/é中文🙂", "dbl//slash", "/lead", "dot/./seg",
            "dotdot/../up", "../escape", "../../etc/x", "trail/", "a",
            "a/b", "semi;colon,comma", "hash#q?x=1"]
    ok = []
    for i, k in enumerate(keys):
        S3.put_object(Bucket=BUCKET, Key="k/" + k, Body=k.encode())
        if k.startswith("../"):
            S3.put_object(Bucket=BUCKET, Key=k, Body=k.encode())
        ok.append(get("k/" + k) == k.encode())
    check("special keys round-trip", all(ok),
          [k for k, good in zip(keys, ok) if not good])
    listed = []
    for page in S3.get_paginator("list_objects_v2").paginate(
            Bucket=BUCKET, Prefix="k/"):
        listed += [o["Key"] for o in page.get("Contents", [])]
    want = sorted("k/" + k for k in keys)
    check("special keys listed, in byte order",
          listed == sorted(want, key=lambda s: s.encode()), listed)
    check("'../' keys stay inside the data directory",
          get("../escape") == b"../escape" and
          not os.path.exists(os.path.join(DATA, "..", "escape")) and
          not os.path.exists(os.path.join(DATA, "escape")))


# ---- listings ----

def test_pagination():
    # A served directory tree: files put there directly are objects.
    tree = os.path.join(DATA, BUCKET, "page")
    os.makedirs(tree)
    for i in range(1100):
        with open(os.path.join(tree, "%04d" % i), "wb") as f:
            f.write(b"%d" % i)
    r1 = S3.list_objects_v2(Bucket=BUCKET, Prefix="page/")
    r2 = S3.list_objects_v2(Bucket=BUCKET, Prefix="page/",
                            ContinuationToken=r1["NextContinuationToken"])
    check("first page: 1000 keys, truncated",
          (r1["KeyCount"], r1["IsTruncated"], len(r1["Contents"])) ==
          (1000, True, 1000), (r1["KeyCount"], r1["IsTruncated"]))
    keys = [o["Key"] for o in r1["Contents"] + r2["Contents"]]
    check("second page: the other 100, not truncated",
          (r2["KeyCount"], r2["IsTruncated"]) == (100, False) and
          keys == ["page/%04d" % i for i in range(1100)],
          (r2["KeyCount"], r2["IsTruncated"]))
    e = r2["Contents"][5]
    check("served files get a size and MD5 ETag",
          (e["Size"], e["ETag"]) == (4, '"%s"' % md5_hex(b"1005")), e)
    r = S3.list_objects_v2(Bucket=BUCKET, Prefix="page/", StartAfter="page/1097",
                           MaxKeys=2)
    check("start-after and max-keys",
          [o["Key"] for o in r["Contents"]] == ["page/1098", "page/1099"] and
          not r["IsTruncated"], r.get("Contents"))
    v1 = S3.list_objects(Bucket=BUCKET, Prefix="page/", Marker="page/0998")
    check("ListObjects v1 with a marker",
          [o["Key"] for o in v1["Contents"]][:2] == ["page/0999", "page/1000"])


def test_delimiter():
    for k in ["d/x/1", "d/x/2", "d/y/1", "d/z", "d/zz/1"]:
        S3.put_object(Bucket=BUCKET, Key=k, Body=b"")
    r = S3.list_objects_v2(Bucket=BUCKET, Prefix="d/", Delimiter="/")
    check("delimiter: common prefixes and keys",
          ([p["Prefix"] for p in r["CommonPrefixes"]],
           [o["Key"] for o in r["Contents"]], r["KeyCount"]) ==
          (["d/x/", "d/y/", "d/zz/"], ["d/z"], 4), r)
    seen, token = [], None
    while True:
        kw = {"ContinuationToken": token} if token else {}
        r = S3.list_objects_v2(Bucket=BUCKET, Prefix="d/", Delimiter="/",
                               MaxKeys=1, **kw)
        seen += [p["Prefix"] for p in r.get("CommonPrefixes", [])]
        seen += [o["Key"] for o in r.get("Contents", [])]
        if not r["IsTruncated"]:
            break
        token = r["NextContinuationToken"]
    check("delimiter pages of one: each entry once",
          seen == ["d/x/", "d/y/", "d/z", "d/zz/"], seen)


# ---- conditional writes, checksums, ranges ----

def test_conditional():
    check("If-None-Match: * on a new key succeeds",
          put_if_none_match(S3, "cond/k", b"one")["ETag"] == '"%s"' % md5_hex(b"one"))
    check("If-None-Match: * on an existing key: 412",
          error_of(put_if_none_match, S3, "cond/k", b"two") ==
          (412, "PreconditionFailed"))
    check("the first write stays", get("cond/k") == b"one")
    etag = '"%s"' % md5_hex(b"one")

    def put_if_match(tag, body):
        def add(request, **_):
            request.headers["If-Match"] = tag
        S3.meta.events.register_first("before-sign.s3.PutObject", add)
        try:
            return S3.put_object(Bucket=BUCKET, Key="cond/k", Body=body)
        finally:
            S3.meta.events.unregister("before-sign.s3.PutObject", add)
    check("If-Match with another ETag: 412",
          error_of(put_if_match, '"0123"', b"x") == (412, "PreconditionFailed"))
    check("If-Match with the ETag replaces",
          error_of(put_if_match, etag, b"three") is None and
          get("cond/k") == b"three")


def test_race():
    n = 8
    clients = [client() for _ in range(n)]
    barrier = threading.Barrier(n)
    results = [None] * n

    def writer(i):
        barrier.wait()
        results[i] = error_of(put_if_none_match, clients[i], "race/k",
                              b"writer %d" % i)
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [i for i, r in enumerate(results) if r is None]
    check("concurrent If-None-Match: exactly one winner",
          len(winners) == 1 and
          all(r == (412, "PreconditionFailed") for r in results if r), results)
    check("the stored object is the winner's",
          winners and get("race/k") == b"writer %d" % winners[0])


def test_checksums():
    data = b"checksummed"
    good = b64(hashlib.sha256(data).digest())
    r = S3.put_object(Bucket=BUCKET, Key="sum/ok", Body=data, ChecksumSHA256=good)
    h = S3.head_object(Bucket=BUCKET, Key="sum/ok", ChecksumMode="ENABLED")
    check("x-amz-checksum-sha256 stored and returned",
          r.get("ChecksumSHA256") == good and h.get("ChecksumSHA256") == good, h)
    check("wrong x-amz-checksum-sha256: 400 BadDigest",
          error_of(S3.put_object, Bucket=BUCKET, Key="sum/bad", Body=data,
                   ChecksumSHA256=b64(hashlib.sha256(b"other").digest())) ==
          (400, "BadDigest"))
    check("wrong Content-MD5: 400 BadDigest",
          error_of(S3.put_object, Bucket=BUCKET, Key="sum/bad", Body=data,
                   ContentMD5=b64(hashlib.md5(b"other").digest())) ==
          (400, "BadDigest"))
    status, body = raw_signed("PUT", "/%s/sum/raw" % BUCKET, b"actual",
                              hashlib.sha256(b"claimed").hexdigest())
    check("body not matching x-amz-content-sha256: 400",
          status == 400 and "XAmzContentSHA256Mismatch" in body, (status, body))
    status, _ = raw_signed("PUT", "/%s/sum/raw" % BUCKET, b"actual",
                           hashlib.sha256(b"actual").hexdigest())
    check("a raw signed PUT with the right hash", status == 200, status)
    check("nothing stored for the bad ones",
          error_of(S3.head_object, Bucket=BUCKET, Key="sum/bad") == (404, "404"))


def test_ranges():
    data = bytes(range(256)) * 4
    S3.put_object(Bucket=BUCKET, Key="range/k", Body=data)
    r = S3.get_object(Bucket=BUCKET, Key="range/k", Range="bytes=10-19")
    check("Range a-b: 206 and Content-Range",
          (r["Body"].read(), r["ContentRange"],
           r["ResponseMetadata"]["HTTPStatusCode"]) ==
          (data[10:20], "bytes 10-19/1024", 206), r["ContentRange"])
    check("Range a-", get("range/k", Range="bytes=1000-") == data[1000:])
    check("Range -n", get("range/k", Range="bytes=-5") == data[-5:])
    check("Range past the end clipped", get("range/k", Range="bytes=1020-5000")
          == data[1020:])
    check("unsatisfiable Range: 416 InvalidRange",
          error_of(S3.get_object, Bucket=BUCKET, Key="range/k",
                   Range="bytes=2000-3000") == (416, "InvalidRange"))


# ---- multipart ----

def test_upload_file(tmp):
    from boto3.s3.transfer import TransferConfig
    src, dst = os.path.join(tmp, "big.bin"), os.path.join(tmp, "big.out")
    data = os.urandom(11 * 1024 * 1024 + 123)
    with open(src, "wb") as f:
        f.write(data)
    cfg = TransferConfig(multipart_threshold=1024 * 1024,
                         multipart_chunksize=5 * 1024 * 1024)
    S3.upload_file(src, BUCKET, "mp/big.bin", Config=cfg)
    S3.download_file(BUCKET, "mp/big.bin", dst, Config=cfg)
    check("upload_file (3 parts) and download_file: identical",
          open(dst, "rb").read() == data)
    parts = [data[i:i + 5 * 1024 * 1024] for i in range(0, len(data), 5 << 20)]
    want = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts))
    etag = S3.head_object(Bucket=BUCKET, Key="mp/big.bin")["ETag"]
    check("multipart ETag is MD5 of the part MD5s, -N",
          etag == '"%s-%d"' % (want.hexdigest(), len(parts)), etag)


def start_upload(key, **kw):
    return S3.create_multipart_upload(Bucket=BUCKET, Key=key, **kw)["UploadId"]


def part(key, uid, n, data, **kw):
    return S3.upload_part(Bucket=BUCKET, Key=key, UploadId=uid, PartNumber=n,
                          Body=data, **kw)


def complete(key, uid, parts, **kw):
    return S3.complete_multipart_upload(
        Bucket=BUCKET, Key=key, UploadId=uid,
        MultipartUpload={"Parts": parts}, **kw)


def test_multipart_rules():
    p1, p2 = b"a" * 6000, b"b" * 100
    uid = start_upload("mp/small")
    e1 = part("mp/small", uid, 1, b"x" * 1000)["ETag"]
    e2 = part("mp/small", uid, 2, p2)["ETag"]
    check("a part under --min-part-size (not last): 400 EntityTooSmall",
          error_of(complete, "mp/small", uid,
                   [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}])
          == (400, "EntityTooSmall"))
    e1 = part("mp/small", uid, 1, p1)["ETag"]
    check("a wrong part ETag: 400 InvalidPart",
          error_of(complete, "mp/small", uid,
                   [{"PartNumber": 1, "ETag": '"00"'}, {"PartNumber": 2, "ETag": e2}])
          == (400, "InvalidPart"))
    check("parts out of order: 400 InvalidPartOrder",
          error_of(complete, "mp/small", uid,
                   [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}])
          == (400, "InvalidPartOrder"))
    listed = S3.list_multipart_uploads(Bucket=BUCKET, Prefix="mp/")
    check("ListMultipartUploads shows it",
          [(u["Key"], u["UploadId"]) for u in listed.get("Uploads", [])] ==
          [("mp/small", uid)], listed.get("Uploads"))
    lp = S3.list_parts(Bucket=BUCKET, Key="mp/small", UploadId=uid)
    check("ListParts", [(p["PartNumber"], p["Size"]) for p in lp["Parts"]] ==
          [(1, 6000), (2, 100)], lp["Parts"])
    r = complete("mp/small", uid, [{"PartNumber": 1, "ETag": e1},
                                   {"PartNumber": 2, "ETag": e2}])
    check("complete: the object is the parts in order",
          get("mp/small") == p1 + p2 and r["ETag"].endswith('-2"'), r["ETag"])
    check("the upload is gone after completion",
          error_of(S3.list_parts, Bucket=BUCKET, Key="mp/small", UploadId=uid)
          == (404, "NoSuchUpload"))
    uid = start_upload("mp/small")
    e1 = part("mp/small", uid, 1, b"c" * 10)["ETag"]
    check("Complete with If-None-Match: * on an existing key: 412",
          error_of(complete, "mp/small", uid, [{"PartNumber": 1, "ETag": e1}],
                   IfNoneMatch="*") == (412, "PreconditionFailed")
          if "IfNoneMatch" in S3.meta.service_model.operation_model(
              "CompleteMultipartUpload").input_shape.members else True)
    S3.abort_multipart_upload(Bucket=BUCKET, Key="mp/small", UploadId=uid)
    check("abort: NoSuchUpload afterwards",
          error_of(part, "mp/small", uid, 1, b"x") == (404, "NoSuchUpload"))


def test_multipart_checksums():
    p1, p2 = os.urandom(6000), os.urandom(300)
    uid = start_upload("mp/sum", ChecksumAlgorithm="SHA256")
    sums = [hashlib.sha256(p).digest() for p in (p1, p2)]
    r1 = part("mp/sum", uid, 1, p1, ChecksumSHA256=b64(sums[0]))
    check("a part with a wrong checksum: 400 BadDigest",
          error_of(part, "mp/sum", uid, 2, p2, ChecksumSHA256=b64(sums[0])) ==
          (400, "BadDigest"))
    r2 = part("mp/sum", uid, 2, p2, ChecksumSHA256=b64(sums[1]))
    complete("mp/sum", uid, [
        {"PartNumber": 1, "ETag": r1["ETag"], "ChecksumSHA256": b64(sums[0])},
        {"PartNumber": 2, "ETag": r2["ETag"], "ChecksumSHA256": b64(sums[1])}])
    h = S3.head_object(Bucket=BUCKET, Key="mp/sum", ChecksumMode="ENABLED")
    want = b64(hashlib.sha256(b"".join(sums)).digest()) + "-2"
    check("composite SHA256 checksum of the parts",
          h.get("ChecksumSHA256") == want, (h.get("ChecksumSHA256"), want))


def test_many_uploads():
    """Concurrent uploads, each Complete holding its upload's lock while
    it takes its key's (with one lock table for both, 1 Complete in 128
    deadlocked on itself: 200 catch that 4 times in 5)."""
    clients = [client(read_timeout=10) for _ in range(4)]
    failures = []

    def worker(t):
        s3 = clients[t]
        for j in range(50):
            key = "many/%d/%d" % (t, j)
            try:
                uid = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
                e = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=uid,
                                   PartNumber=1, Body=b"p")["ETag"]
                s3.complete_multipart_upload(
                    Bucket=BUCKET, Key=key, UploadId=uid,
                    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]})
            except Exception as err:
                failures.append((key, repr(err)))
                return
    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    n = sum(len(p.get("Contents", [])) for p in clients[0].get_paginator(
        "list_objects_v2").paginate(Bucket=BUCKET, Prefix="many/"))
    check("200 concurrent multipart uploads complete", not failures and n == 200,
          (failures[:2], n))


# ---- authentication ----

def test_auth():
    check("wrong secret: 403 SignatureDoesNotMatch",
          error_of(client(secret="wrong").list_objects_v2, Bucket=BUCKET) ==
          (403, "SignatureDoesNotMatch"))
    check("unknown access key: 403 InvalidAccessKeyId",
          error_of(client(key="nobody").list_objects_v2, Bucket=BUCKET) ==
          (403, "InvalidAccessKeyId"))
    check("unsigned request: 403 AccessDenied",
          error_of(client(signed=False).list_objects_v2, Bucket=BUCKET) ==
          (403, "AccessDenied"))
    S3.put_object(Bucket=BUCKET, Key="pre/sign me", Body=b"presigned body")
    url = S3.generate_presigned_url("get_object", ExpiresIn=60, Params={
        "Bucket": BUCKET, "Key": "pre/sign me"})
    with urllib.request.urlopen(url) as r:
        check("presigned GET URL", r.read() == b"presigned body")
    bad = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")[:len(url)]
    check("tampered presigned URL: 403", http_status(bad) == 403)


def http_status(url):
    try:
        with urllib.request.urlopen(url) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


# ---- faults ----

def set_faults(text):
    admin("PUT", text.encode())


def test_error_faults():
    S3.put_object(Bucket=BUCKET, Key="f/k", Body=b"v" * 65536)
    set_faults("error 503 count=1 op=GetObject")
    check("fault: 503 SlowDown once",
          error_of(get, "f/k") == (503, "SlowDown") and get("f/k") == b"v" * 65536)
    set_faults("error 503 method=PUT count=1")
    check("fault by method: GET unaffected, PUT 503",
          get("f/k") and error_of(S3.put_object, Bucket=BUCKET, Key="f/p",
                                  Body=b"x") == (503, "SlowDown"))
    set_faults("error 409 op=PutObject count=1")
    check("fault: 409 ConditionalRequestConflict",
          error_of(S3.put_object, Bucket=BUCKET, Key="f/p", Body=b"x") ==
          (409, "ConditionalRequestConflict"))
    set_faults("error 500 prob=0.5 op=HeadObject")
    fails = sum(error_of(S3.head_object, Bucket=BUCKET, Key="f/k") is not None
                for _ in range(40))
    check("fault with prob=0.5: some but not all", 5 < fails < 35, fails)
    listing = admin("GET")
    check("GET /_mock/faults shows the rule and its hits",
          "error 500 prob=0.5 op=HeadObject" in listing and
          "hits=%d" % fails in listing, listing)
    admin("DELETE")
    check("DELETE /_mock/faults clears", admin("GET") == "" and
          S3.head_object(Bucket=BUCKET, Key="f/k")["ContentLength"] == 65536)


def test_connection_faults():
    set_faults("reset-response 100 op=GetObject count=1")
    check("fault: reset after 100 bytes of the body",
          raises(lambda: get("f/k")) is not None)
    set_faults("truncate 1000 op=GetObject count=1")
    check("fault: truncated body", raises(lambda: get("f/k")) is not None)
    set_faults("reset-request 1000 op=PutObject count=1")
    check("fault: reset during the request body",
          raises(lambda: S3.put_object(Bucket=BUCKET, Key="f/reset",
                                       Body=b"r" * 65536)) is not None and
          error_of(S3.head_object, Bucket=BUCKET, Key="f/reset") == (404, "404"))
    set_faults("stall 1.5 op=GetObject count=1")
    t0 = time.time()
    e = raises(lambda: client(read_timeout=0.4).get_object(Bucket=BUCKET,
                                                            Key="f/k"))
    check("fault: stall trips the client's read timeout",
          isinstance(e, botocore.exceptions.ReadTimeoutError) and
          time.time() - t0 < 1.4, repr(e))
    set_faults("overlong 10 op=GetObject count=1")
    url = S3.generate_presigned_url("get_object", ExpiresIn=60, Params={
        "Bucket": BUCKET, "Key": "f/k"})
    head, body = raw_get(url)
    check("fault: body longer than Content-Length",
          "content-length: 65536" in head.lower() and len(body) == 65546,
          (head, len(body)))
    admin("DELETE")
    check("the server still serves after the faults", get("f/k") == b"v" * 65536)


def raw_get(url):
    u = urllib.parse.urlsplit(url)
    s = socket.create_connection((u.hostname, u.port), timeout=5)
    s.sendall(("GET %s?%s HTTP/1.1\r\nHost: %s\r\n\r\n" %
               (u.path, u.query, u.netloc)).encode())
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode(), body


def test_complete_fault():
    uid = start_upload("f/mp")
    e1 = part("f/mp", uid, 1, b"m" * 100)["ETag"]
    set_faults("complete-error count=1")
    err = error_of(complete, "f/mp", uid, [{"PartNumber": 1, "ETag": e1}])
    check("fault: Complete answers 200 with an InternalError body",
          err == (200, "InternalError") or err == (500, "InternalError"), err)
    check("nothing was completed",
          error_of(S3.head_object, Bucket=BUCKET, Key="f/mp") == (404, "404"))
    complete("f/mp", uid, [{"PartNumber": 1, "ETag": e1}])
    check("the upload completes on a second try", get("f/mp") == b"m" * 100)


def test_list_faults():
    set_faults("list malformed count=1")
    check("fault: malformed listing XML is an error",
          raises(lambda: S3.list_objects_v2(Bucket=BUCKET)) is not None)
    set_faults("list doctype count=1")
    e = raises(lambda: S3.list_objects_v2(Bucket=BUCKET))
    check("fault: DOCTYPE with an external entity never expands it",
          e is not None or "root:" not in json.dumps(
              S3.list_objects_v2(Bucket=BUCKET), default=str), repr(e))
    set_faults("list huge 1000000 count=1")
    r = S3.list_objects_v2(Bucket=BUCKET)
    check("fault: a ~1 MB listing (more entries than max-keys)",
          len(r.get("Contents", [])) > 3000, len(r.get("Contents", [])))
    set_faults("list longkey count=1")
    r = S3.list_objects_v2(Bucket=BUCKET, Prefix="d/")
    lens = [len(o["Key"]) for o in r.get("Contents", [])]
    check("fault: a 2,000-byte key in the listing", 2000 in lens, lens)
    admin("DELETE")


def test_skew():
    set_faults("skew 3600")
    e = None
    try:
        S3.head_object(Bucket=BUCKET, Key="f/k")
    except ClientError as err:
        e = err
    date = e and e.response["ResponseMetadata"]["HTTPHeaders"].get("date")
    ahead = date and time.mktime(time.strptime(date, "%a, %d %b %Y %H:%M:%S GMT")) \
        - time.mktime(time.gmtime())
    check("fault: server clock +1 h: 403 and the server's Date",
          e is not None and e.response["ResponseMetadata"]["HTTPStatusCode"] ==
          403 and ahead and 3500 < ahead < 3700, (e, date))
    status, body = raw_signed("GET", "/%s/f/k" % BUCKET, b"",
                              hashlib.sha256(b"").hexdigest())
    check("clock skew error code: RequestTimeTooSkewed",
          status == 403 and "RequestTimeTooSkewed" in body, body)
    url = S3.generate_presigned_url("get_object", ExpiresIn=60, Params={
        "Bucket": BUCKET, "Key": "f/k"})
    check("expired presigned URL (server clock +1 h): 403",
          http_status(url) == 403)
    admin("DELETE")
    check("clock back: the same URL works", http_status(url) == 200)


# ---- the request log ----

def test_log():
    kinds = {"error", "reset-response", "truncate", "reset-request", "stall",
             "overlong", "complete-error", "list"}
    for _ in range(30):  # the stalled request may still be sleeping
        lines = [json.loads(line) for line in open(LOG)]
        if {l["fault"].split()[0] for l in lines if l["fault"]} >= kinds:
            break
        time.sleep(0.1)
    keys = {"time", "id", "method", "path", "query", "op", "status",
            "bytes_in", "bytes_out", "ms", "complete", "fault", "error",
            "access_key"}
    check("request log: one JSON object per request, every field",
          len(lines) > 100 and all(set(l) == keys for l in lines), lines[:1])
    check("the log names the key that signed each request",
          {l["access_key"] for l in lines
           if l["status"] < 400 and l["access_key"]} == {"minioadmin"},
          {l["access_key"] for l in lines})
    check("the log records 412s with their error code",
          any(l["op"] == "PutObject" and l["status"] == 412 and
              l["error"] == "PreconditionFailed" for l in lines))
    faults = {l["fault"].split()[0] for l in lines if l["fault"]}
    check("each fault kind is logged", faults >= kinds, faults)
    put = [l for l in lines if l["op"] == "PutObject" and
           l["path"] == "/%s/f/k" % BUCKET]
    check("bytes in counted", put and put[0]["bytes_in"] == 65536, put[:1])
    check("admin requests are not logged",
          not any(l["path"].startswith("/_mock") for l in lines))


def main():
    tmp = sys.argv[4]
    for t in (test_basics, test_delete_objects, test_special_keys, test_pagination, test_delimiter,
              test_conditional, test_race, test_checksums, test_ranges,
              lambda: test_upload_file(tmp), test_multipart_rules,
              test_multipart_checksums, test_many_uploads, test_auth, test_error_faults,
              test_connection_faults, test_complete_fault, test_list_faults,
              test_skew, test_log):
        try:
            t()
        except Exception as e:  # report and go on with the next group
            check("%s ran" % getattr(t, "__name__", "a test"), False, repr(e))
    print("done", flush=True)


main()
