#!/usr/bin/env bash
# End-to-end: the flow of test_history.sh on a bucket with a history, run
# against moto's S3 server (behind botocore's signature check), so that
# If-Match and the checksums are not checked against the mock alone.
# Skipped, by name, when moto is not installed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/history_lib.sh"

moto_setup
SERVER=moto
# moto 5.2 gives x-amz-checksum-sha256 without x-amz-checksum-type (and
# a composite multipart checksum without its "-N"): archivist does not take
# such a checksum for the content's, so that object's sha256 is computed.
FULL_OBJECT_SOURCE=computed FULL_OBJECT_COUNT=0 REUSED_COUNT=5
history_flow
check_eq "every request passed botocore's signature check" "" "$(moto_rejected 0)"
finish
