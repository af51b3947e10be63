#!/usr/bin/env python3
"""Looks at a bucket with boto3 (not archivist) for the reliability tests.

usage: s3check.py COMMAND ARGS...
The endpoint and credentials come from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID
and AWS_SECRET_ACCESS_KEY (path-style addressing).

  keys BUCKET PREFIX        every key under PREFIX, one per line
  uploads BUCKET [PREFIX]   how many multipart uploads are unfinished
  verify BUCKET PREFIX... [--decode DIR]
                            every object under each PREFIX must be a
                            complete archive: as many bytes as HEAD says,
                            the sha256 its x-amz-meta-sha256 records, and a
                            zstd frame that `zstd -d` decodes (into
                            DIR/BASENAME.tar with --decode).  Prints "ok KEY
                            SHA256" or "BAD KEY: why" per object, then
                            "uploads PREFIX N", the number of unfinished
                            multipart uploads; exits 1 if an object is bad
  requests LOG              per key, the 200 replies to PutObject and
                            CompleteMultipartUpload in a mock request log:
                            "COUNT PATH" lines, sorted by path
  faults LOG                how many requests of a mock log met a fault,
                            per kind: "KIND COUNT" lines
"""
import collections
import hashlib
import json
import os
import subprocess
import sys



def client():
    import boto3  # here: the log commands need no boto3 (a second saved)
    from botocore.config import Config
    return boto3.client(
        "s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        config=Config(s3={"addressing_style": "path"},
                      retries={"max_attempts": 1}))


def keys(s3, bucket, prefix):
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=prefix):
        out += [o["Key"] for o in page.get("Contents", [])]
    return out


def verify_one(s3, bucket, key, decode_dir):
    obj = s3.get_object(Bucket=bucket, Key=key)
    body = obj["Body"].read()
    want = obj["Metadata"].get("sha256")
    got = hashlib.sha256(body).hexdigest()
    if len(body) != obj["ContentLength"]:
        return None, "%d bytes, HEAD says %d" % (len(body), obj["ContentLength"])
    if want != got:
        return None, "sha256 %s, recorded %s" % (got, want)
    out = subprocess.DEVNULL
    if decode_dir:
        name = key.rsplit("/", 1)[-1]
        name = name[:-len(".zst")] if name.endswith(".zst") else name + ".tar"
        out = open(os.path.join(decode_dir, name), "wb")
    z = subprocess.run(["zstd", "-q", "-d", "-c", "-"], input=body,
                       stdout=out, stderr=subprocess.PIPE)
    if decode_dir:
        out.close()
    if z.returncode != 0:
        return None, "zstd -d: " + z.stderr.decode(errors="replace").strip()
    return got, None


def verify(s3, bucket, args):
    decode_dir = None
    if "--decode" in args:
        i = args.index("--decode")
        decode_dir = args[i + 1]
        args = args[:i] + args[i + 2:]
    bad = 0
    for prefix in args:
        for k in keys(s3, bucket, prefix):
            sha, why = verify_one(s3, bucket, k, decode_dir)
            print("ok %s %s" % (k, sha) if why is None else "BAD %s: %s" % (k, why))
            bad += why is not None
        r = s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix)
        print("uploads %s %d" % (prefix, len(r.get("Uploads", []))))
    return 1 if bad else 0


def log_lines(path):
    with open(path) as f:
        for line in f:
            yield json.loads(line)


def requests(path):
    n = collections.Counter()
    for o in log_lines(path):
        if o["op"] in ("PutObject", "CompleteMultipartUpload") and \
                o["status"] == 200 and \
                not (o.get("fault") or "").startswith("complete-error"):
            n[o["path"]] += 1
    for p in sorted(n):
        print(n[p], p)
    return 0


def faults(path):
    n = collections.Counter()
    for o in log_lines(path):
        if o.get("fault"):
            n[o["fault"].split()[0]] += 1
    for k in sorted(n):
        print(k, n[k])
    return 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "requests":
        return requests(args[0])
    if cmd == "faults":
        return faults(args[0])
    s3 = client()
    if cmd == "keys":
        print("\n".join(keys(s3, args[0], args[1])))
        return 0
    if cmd == "uploads":
        r = s3.list_multipart_uploads(Bucket=args[0], Prefix=args[1] if len(args) > 1 else "")
        print(len(r.get("Uploads", [])))
        return 0
    if cmd == "verify":
        return verify(s3, args[0], args[1:])
    print("s3check.py: unknown command " + cmd, file=sys.stderr)
    return 2


sys.exit(main())
