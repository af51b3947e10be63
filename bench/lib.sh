# bench/lib.sh: shared helpers for the benchmark scripts (sourced).
#
# Every benchmark runs archivist and its peers in the same run on the same
# input, N times each, interleaved (a, b, a, b, ...) so a change of load
# hits both, and prints medians of wall time and peak RSS with the ratio.
# Inputs and results go to bench/out/ (gitignored).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
ARCHIVIST=${ARCHIVIST:-$BUILD/archivist}
OUT=${BENCH_OUT:-$BENCH_DIR/out}
MOCKCTL=$ROOT/mocks/mockctl
export MOCK_BIN=${MOCK_BIN:-$BUILD/mock-s3}
export AWS_ACCESS_KEY_ID=minioadmin AWS_SECRET_ACCESS_KEY=minioadmin
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 2>/dev/null || true
# Never the instance metadata service (169.254.169.254) nor another
# provider of the machine running the benchmarks.
export AWS_EC2_METADATA_DISABLED=true
unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
	AWS_CONTAINER_CREDENTIALS_FULL_URI 2>/dev/null || true
mkdir -p "$OUT"

note() { printf '%s\n' "$*" >&2; }
die() { note "bench: $*"; exit 1; }

# bench_need CMD [DEBIAN-PACKAGE]: installs the package if CMD is missing
# (as root), else fails saying what to install.
bench_need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	local pkg=${2:-$1}
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2 ||
			die "cannot install $pkg"
	else
		die "$1 is missing: apt-get install $pkg"
	fi
}

# bench_have CMD: true if CMD is installed (optional peers).
bench_have() { command -v "$1" >/dev/null 2>&1; }

bench_machine() {
	printf 'machine: %s cores, %s, %s GiB RAM; %s\n' "$(nproc)" \
		"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
		"$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" \
		"$(uname -sr)"
}

bench_load() { printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"; }

# bench_run LABEL CMD...: runs CMD once under /usr/bin/time and appends
# "wall_s peak_rss_kb cpu_s" to $OUT/times.LABEL (cpu = user + system).  Output goes to /dev/null
# unless CMD redirects it itself.  For a pipeline, CMD is "sh -c '...'":
# the peak RSS is then that of its largest process (getrusage children).
# With BENCH_SERVER_PID set (the mock's pid), the CPU seconds that
# process used during the run are appended as a fourth field.
# A run longer than BENCH_TIMEOUT seconds (default 3600) is killed and
# counts as failed.
bench_run() {
	local label=$1 tf s0=0 s1=0; shift
	tf=$(mktemp "$OUT/.time.XXXXXX")
	[ -z "${BENCH_SERVER_PID:-}" ] || s0=$(proc_cpu "$BENCH_SERVER_PID")
	if ! /usr/bin/time -f '%e %M %U %S' -o "$tf" \
		timeout -k 10 "${BENCH_TIMEOUT:-3600}" "$@" >/dev/null 2>"$tf.err"; then
		note "bench: '$label' failed:"; tail -5 "$tf.err" >&2
		rm -f "$tf" "$tf.err"; return 1
	fi
	[ -z "${BENCH_SERVER_PID:-}" ] || s1=$(proc_cpu "$BENCH_SERVER_PID")
	tail -1 "$tf" | awk -v srv="$(calc "$s1 - $s0" 2)" -v p="${BENCH_SERVER_PID:-}" \
		'{ print $1, $2, $3 + $4, (p == "" ? "" : srv) }' >>"$OUT/times.$label"
	note "  $label: $(tail -1 "$OUT/times.$label") (wall s, KB, cpu s)"
	rm -f "$tf" "$tf.err"
}

# proc_cpu PID: user + system CPU seconds of a process so far.
proc_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}

bench_reset() { local l; for l in "$@"; do rm -f "$OUT/times.$l"; done; }

# bench_median LABEL FIELD(1 wall, 2 rss, 3 cpu, 4 server cpu): median of the runs.
bench_median() {
	awk -v f="$2" '{ print $f }' "$OUT/times.$1" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
			else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
bench_runs() { awk '{ printf "%s%s", s, $1; s = " " }' "$OUT/times.$1"; }

# Arithmetic on decimals.
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }
mib() { calc "$1 / 1048576" 1; }

# bench_row LABEL [BYTES]: a markdown row: label, median wall, all walls,
# median CPU s, median server (mock) CPU s or -, median peak RSS (MB),
# throughput (MiB/s) if BYTES.  BENCH_HEAD is the matching header.
BENCH_HEAD='| run | median s | runs (s) | cpu s | mock cpu s | peak RSS MB |'
bench_row() {
	local w r c m
	[ -s "$OUT/times.$1" ] || { echo "| $1 | failed | | | | |"; return; }
	w=$(bench_median "$1" 1); r=$(bench_median "$1" 2); c=$(bench_median "$1" 3)
	m=$(awk 'NF >= 4' "$OUT/times.$1" | wc -l)
	[ "$m" = 0 ] && m=- || m=$(bench_median "$1" 4)
	printf '| %s | %s | %s | %s | %s | %s |' "$1" "$w" "$(bench_runs "$1")" \
		"$c" "$m" "$(calc "$r / 1024" 0)"
	[ $# -lt 2 ] || printf ' %s |' "$(calc "$2 / 1048576 / $w" 0)"
	echo
}

# Mock S3 server on a free port serving $1 (more mock-s3 options may
# follow); sets MOCK_PORT, MOCK_PID, ENDPOINT.  Stopped by bench_mock_stop
# (scripts trap it).
bench_mock_start() {
	local dir=$1; shift
	[ -x "$MOCK_BIN" ] || die "no $MOCK_BIN: run make first"
	read -r MOCK_PORT MOCK_PID < <("$MOCKCTL" start "$dir" 0 "$@")
	ENDPOINT=http://127.0.0.1:$MOCK_PORT
	export BENCH_SERVER_PID=$MOCK_PID
	MOCK_DIR=$dir
}
bench_mock_stop() {
	[ -n "${MOCK_DIR:-}" ] && "$MOCKCTL" stop "$MOCK_DIR" >/dev/null 2>&1
	MOCK_DIR= BENCH_SERVER_PID=
}

av() { "$ARCHIVIST" -q --endpoint "$ENDPOINT" "$@"; }

# The ~170 MB CPython tar.gz the recompression benchmarks use: a pyenv
# CPython install without site-packages and its test suite, timestamp
# pycs for optimisation levels 0, 1 and 2, GNU tar (gnu format, sorted),
# gzip -6.  Override with BENCH_PY=DIR (an install prefix).
bench_big_input() {
	local py=${BENCH_PY:-$HOME/.pyenv/versions/3.12.1} f=$OUT/cpython-big.tar.gz xy
	[ -s "$f" ] && { echo "$f"; return; }
	[ -d "$py/lib" ] || die "no Python install at $py (set BENCH_PY)"
	xy=$(basename "$(ls -d "$py"/lib/python3.* | head -1)")
	for o in 1 2; do	# opt pycs, if the install lacks them
		"$py/bin/python3" -O$( [ $o = 2 ] && echo O) -m compileall -q \
			-x 'site-packages|/test/' "$py/lib/$xy" >/dev/null 2>&1 || true
	done
	note "bench: building $f from $py"
	tar --format=gnu --sort=name -C "$py" \
		--exclude="./lib/$xy/site-packages" --exclude="./lib/$xy/test" \
		-cf - . | gzip -6 >"$f.tmp"
	mv "$f.tmp" "$f"
	echo "$f"
}

# bench_slices: from the big input's file list (sorted, as in its tar),
# without the files over 8 MB (the static and shared libpython, which
# alone would make a slice), 8 consecutive runs of about the same size
# (~13 MB of tar each), archived as $OUT/slice-1.tar.gz .. slice-8.tar.gz
# (GNU tar, gzip -6); and, for the scaling benchmark, the prefixes of the
# whole list up to 20 and 80 MB of tar as $OUT/first-20.tar.gz and
# first-80.tar.gz (the whole is the big input).
bench_slices() {
	local py=${BENCH_PY:-$HOME/.pyenv/versions/3.12.1} k
	bench_big_input >/dev/null
	[ -s "$OUT/first-80.tar.gz" ] && return 0
	note "bench: slicing $py"
	tar -tzf "$OUT/cpython-big.tar.gz" | grep -v '/$' |
	(cd "$py" && python3 -c '
import os, sys
names = [l.rstrip("\n") for l in sys.stdin]
sizes = [(os.lstat(n).st_size + 1023) // 512 * 512 for n in names]
small = [(n, s) for n, s in zip(names, sizes) if s <= 8 << 20]
total, done = sum(s for _, s in small), 0
outs = [open(sys.argv[1] + "/.slice-%d" % i, "w") for i in range(1, 9)]
for n, s in small:
    outs[min(7, int(done * 8 / total))].write(n + "\n")
    done += s
for mb in 20, 80:
    with open(sys.argv[1] + "/.first-%d" % mb, "w") as f:
        done = 0
        for n, s in zip(names, sizes):
            if done >= mb * 1000000: break
            f.write(n + "\n"); done += s
' "$OUT")
	for k in slice-1 slice-2 slice-3 slice-4 slice-5 slice-6 slice-7 slice-8 \
		first-20 first-80; do
		tar --format=gnu -C "$py" --no-recursion -T "$OUT/.$k" -cf - |
			gzip -6 >"$OUT/$k.tar.gz.tmp"
		mv "$OUT/$k.tar.gz.tmp" "$OUT/$k.tar.gz"
		rm -f "$OUT/.$k"
	done
}
