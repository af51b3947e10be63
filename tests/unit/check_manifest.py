#!/usr/bin/env python3
"""Checks a TOML inventory and a JSON manifest against expected artifacts.

usage: check_manifest.py TOML JSON EXPECT

EXPECT is a JSON list of artifacts in the order the manifest must list
them: name, version, os, arch, distro_name, distro_version, stacks, key,
url, size, sha256, legacy (null or {key, size|null, sha256|null}).  The
TOML is read with Python's tomllib and the JSON with its json module, so
the formats are checked by parsers this project did not write.
"""
import json
import re
import sys
import tomllib

# The regular expression semver.org gives for SemVer 2.0.0, verbatim.
SEMVER = re.compile(
    r"^(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<prerelease>(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+(?P<buildmetadata>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")
PYTHON_PRE = re.compile(r"^(\d+\.\d+\.\d+)(a|b|rc)(\d+)$")


def semver_of(version):
    """3.13.0rc1 -> 3.13.0-rc1; a final release is unchanged."""
    m = PYTHON_PRE.match(version)
    return f"{m[1]}-{m[2]}{m[3]}" if m else version

INVENTORY_KEYS = ["version", "os", "arch", "url", "checksum", "metadata"]
METADATA_KEYS = ["distro_name", "distro_version", "stacks", "python_version"]


def fail(msg):
    print("check_manifest: " + msg, file=sys.stderr)
    sys.exit(1)


def check_toml(path, expect):
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    if list(doc) != ["artifacts"]:
        fail(f"toml top-level keys {list(doc)}")
    arts = doc["artifacts"]
    if len(arts) != len(expect):
        fail(f"toml has {len(arts)} artifacts, want {len(expect)}")
    for i, (got, want) in enumerate(zip(arts, expect)):
        if list(got) != INVENTORY_KEYS:
            fail(f"toml artifact {i} keys {list(got)}")
        if list(got["metadata"]) != METADATA_KEYS:
            fail(f"toml artifact {i} metadata keys {list(got['metadata'])}")
        if not SEMVER.match(got["version"]):
            fail(f"toml artifact {i} version {got['version']!r} is not SemVer 2.0.0")
        if got["metadata"]["python_version"] != want["version"]:
            fail(f"toml artifact {i} python_version {got['metadata']['python_version']!r}")
        flat = {
            "version": semver_of(want["version"]), "os": want["os"], "arch": want["arch"],
            "url": want["url"], "checksum": "sha256:" + want["sha256"],
        }
        for k, v in flat.items():
            if got[k] != v:
                fail(f"toml artifact {i} {k}: {got[k]!r} != {v!r}")
        meta = got["metadata"]
        for k in ("distro_name", "distro_version", "stacks"):
            if meta[k] != want[k]:
                fail(f"toml artifact {i} metadata.{k}: {meta[k]!r} != {want[k]!r}")


def check_json(path, expect):
    with open(path, "rb") as f:
        doc = json.load(f)
    if doc["schema_version"] != 1:
        fail("json schema_version")
    arts = doc["artifacts"]
    if len(arts) != len(expect):
        fail(f"json has {len(arts)} artifacts, want {len(expect)}")
    for i, (got, want) in enumerate(zip(arts, expect)):
        for k in ("name", "version", "os", "arch", "distro_name",
                  "distro_version", "stacks", "key", "url", "size"):
            if got[k] != want[k]:
                fail(f"json artifact {i} {k}: {got[k]!r} != {want[k]!r}")
        if got["checksum"] != "sha256:" + want["sha256"]:
            fail(f"json artifact {i} checksum")
        leg = want["legacy"]
        if leg is None:
            if "legacy_source" in got:
                fail(f"json artifact {i} has a legacy_source")
            continue
        src = got["legacy_source"]
        want_src = {"key": leg["key"]}
        if leg["size"] is not None:
            want_src["size"] = leg["size"]
        if leg["sha256"] is not None:
            want_src["checksum"] = "sha256:" + leg["sha256"]
        if src != want_src:
            fail(f"json artifact {i} legacy_source {src!r} != {want_src!r}")


def main():
    toml_path, json_path, expect_path = sys.argv[1:4]
    with open(expect_path, "rb") as f:
        expect = json.load(f)
    check_toml(toml_path, expect)
    if json_path != "-":
        check_json(json_path, expect)


if __name__ == "__main__":
    main()
