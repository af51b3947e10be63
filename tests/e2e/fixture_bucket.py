#!/usr/bin/env python3
"""Seeds an S3 server with a bucket shaped like heroku-buildpack-python's.

usage: fixture_bucket.py ENDPOINT BUCKET WORKDIR

The real bucket holds a history: gzip archives under each stack's folder
(heroku-16 to heroku-22, amd64 only), vendored libraries beside them, and
new-scheme .tar.zst keys that were rebuilt from source and uploaded with
`aws s3 sync` -- no archivist metadata, no sha256 metadata.  This puts a
small copy of that history on the server at ENDPOINT (the mock or moto),
with boto3 only, as other tools would have written it:

  legacy      heroku-{16,18,20,22}/runtimes/python-X.Y.Z.tar.gz, several
              versions, among them a pre-release (3.13.0rc1)
  stack files heroku-18/libraries/vendor/gdal.tar.gz and such
  elsewhere   new-scheme keys with a plain PutObject (no metadata): the
              counterparts of some heroku-22 archives, arm64 and amd64
              keys of heroku-24, one of retired heroku-20
  checksum    one of them uploaded with a full-object x-amz-checksum-sha256
  composite   one uploaded in two parts with a composite SHA256 checksum
              (the checksum of its parts' checksums, not of its bytes)

Archives are small but real: a runtime tree built by scripts/mkruntime.sh
(GNU tar, gzip), the new-scheme ones recompressed by the zstd CLI at level
3 (not what archivist would make).  Prints one JSON object on stdout:
{"keys": {KIND: [KEY, ...]}, "sha256": {KEY: HEX}} for every key written.
Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (default minioadmin).
"""
import gzip
import hashlib
import json
import os
import subprocess
import sys

import boto3
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

LEGACY = {
    "heroku-16": ["2.7.18", "3.6.15"],
    "heroku-18": ["3.6.15", "3.10.4"],
    "heroku-20": ["3.8.10", "3.12.3"],
    "heroku-22": ["3.10.14", "3.11.2", "3.12.3", "3.13.0rc1"],
}
STACK_FILES = ["heroku-18/libraries/vendor/gdal.tar.gz",
               "heroku-18/libraries/vendor/geos.tar.gz",
               "heroku-20/libraries/vendor/proj.tar.gz"]
# New-scheme keys made elsewhere: (version, distro version, arch).
ELSEWHERE = [("3.11.2", "22.04", "amd64"), ("3.12.3", "24.04", "amd64"),
             ("3.12.3", "24.04", "arm64"), ("3.12.3", "20.04", "amd64")]
CHECKSUMMED = ("3.12.3", "22.04", "amd64")
COMPOSITE = ("3.12.3", "26.04", "amd64")
PART = 5 << 20


def new_key(version, distro_version, arch):
    return f"python-{version}-ubuntu-{distro_version}-{arch}.tar.zst"


def build(work):
    """The legacy archive, a zstd recompression of it, and a big one."""
    legacy = os.path.join(work, "legacy.tar.gz")
    env = dict(os.environ, MKRUNTIME_BIN="stub")
    subprocess.run([os.path.join(ROOT, "scripts", "mkruntime.sh"), sys.executable,
                    legacy, "json"], check=True, env=env, stdout=subprocess.DEVNULL)
    tar = os.path.join(work, "legacy.tar")
    with gzip.open(legacy, "rb") as f, open(tar, "wb") as out:
        out.write(f.read())
    zst = os.path.join(work, "elsewhere.tar.zst")
    subprocess.run(["zstd", "-q", "-f", "-3", tar, "-o", zst], check=True)
    # Over one part: the runtime and 6 MiB of random bytes.
    tree = os.path.join(work, "tree")
    os.makedirs(tree, exist_ok=True)
    subprocess.run(["tar", "-xzf", legacy, "-C", tree], check=True)
    with open(os.path.join(tree, "blob.bin"), "wb") as f:
        f.write(os.urandom(6 << 20))
    big = os.path.join(work, "big.tar.zst")
    subprocess.run(["tar", "--format=gnu", "-C", tree, "-cf", os.path.join(work, "big.tar"), "."],
                   check=True)
    subprocess.run(["zstd", "-q", "-f", "-3", os.path.join(work, "big.tar"), "-o", big], check=True)
    return [open(p, "rb").read() for p in (legacy, zst, big)]


def put_composite(s3, bucket, key, body):
    """Two parts, each with its SHA256; the object gets a composite one."""
    up = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256")
    parts = []
    for n, off in enumerate(range(0, len(body), PART), 1):
        r = s3.upload_part(Bucket=bucket, Key=key, UploadId=up["UploadId"], PartNumber=n,
                           Body=body[off:off + PART], ChecksumAlgorithm="SHA256")
        parts.append({"PartNumber": n, "ETag": r["ETag"], "ChecksumSHA256": r["ChecksumSHA256"]})
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": parts})


def main():
    endpoint, bucket, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "minioadmin"),
                      aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "minioadmin"),
                      config=Config(s3={"addressing_style": "path"}))
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    legacy, zst, big = build(work)
    keys = {"legacy": [], "legacy_retired": [], "stack_file": [], "elsewhere": [],
            "checksummed": [], "composite": []}
    sums = {}

    def put(kind, key, body, **kw):
        s3.put_object(Bucket=bucket, Key=key, Body=body, **kw)
        keys[kind].append(key)
        sums[key] = hashlib.sha256(body).hexdigest()

    for stack, versions in LEGACY.items():
        kind = "legacy" if stack == "heroku-22" else "legacy_retired"
        for v in versions:
            put(kind, f"{stack}/runtimes/python-{v}.tar.gz", legacy)
    for k in STACK_FILES:
        put("stack_file", k, legacy)
    for t in ELSEWHERE:
        put("elsewhere", new_key(*t), zst)
    put("checksummed", new_key(*CHECKSUMMED), zst, ChecksumAlgorithm="SHA256")
    put_composite(s3, bucket, new_key(*COMPOSITE), big)
    keys["composite"].append(new_key(*COMPOSITE))
    sums[new_key(*COMPOSITE)] = hashlib.sha256(big).hexdigest()
    json.dump({"keys": keys, "sha256": sums}, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
