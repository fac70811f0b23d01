#!/bin/sh
# tests/tools/file_send.sh -- `secip serve --files-dir` and `secip send
# --file` end to end on 127.0.0.1: files of a few MiB (disk-backed on
# arrival) and of 100 kB (held in memory, then saved) arrive identical,
# the FILE line carries the sha256sum of the saved file, the sender exits 0
# with the same hash, and without a terminal progress comes as plain lines.
# Failures: a missing file, and a server without a download directory.
# With a fourth argument, also runs samples/file_transfer.
#
#   file_send.sh SECIP WORKDIR [FILE_TRANSFER_SAMPLE]
set -eu
SECIP=$1
DIR=$2
SAMPLE=${3:-}
rm -rf "$DIR"
mkdir -p "$DIR/recv"
cd "$DIR"

SRV_PID=
fail() {
    echo "FAILED: $*" >&2
    [ -z "$SRV_PID" ] || kill "$SRV_PID" 2>/dev/null || true
    exit 1
}
trap '[ -z "$SRV_PID" ] || kill "$SRV_PID" 2>/dev/null || true' EXIT

start_server() {
    name=$1
    shift
    "$SECIP" serve --listen 127.0.0.1:0 "$@" > "$name.out" 2> "$name.err" &
    SRV_PID=$!
    i=0
    until grep -q "^listening on" "$name.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 300 ] || fail "$name: no 'listening on' line in 30 s"
        kill -0 "$SRV_PID" 2>/dev/null ||
            fail "$name: server exited: $(cat "$name.err")"
        sleep 0.1
    done
    PORT=$(head -1 "$name.out" | sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p')
    FP=$(head -1 "$name.out" | sed 's/.* fingerprint //')
    [ -n "$PORT" ] || fail "$name: bad first line"
}

stop_server() {
    kill -TERM "$SRV_PID"
    rc=0
    wait "$SRV_PID" || rc=$?
    SRV_PID=
    [ $rc = 0 ] || fail "$1: server exited with $rc: $(cat "$1.err")"
}

# wait_line FILE LINE: the exact line must appear in FILE within 20 s (the
# server prints it after the sender already has the confirmation).
wait_line() {
    i=0
    until grep -qxF "$2" "$1"; do
        i=$((i + 1))
        [ $i -le 200 ] || fail "no line '$2' in $1: $(cat "$1")"
        sleep 0.1
    done
}

# send_file NAME: send NAME, exit 0, "file ok" with the right hash, then
# the server's FILE line and an identical saved copy.
send_file() {
    sum=$(sha256sum "$1" | cut -c1-64)
    size=$(wc -c < "$1" | tr -d ' ')
    t0=$(date +%s.%N)
    "$SECIP" send --connect "127.0.0.1:$PORT" --pin "$FP" --file "$1" \
        > send.out 2> send.err || fail "send --file $1: $(cat send.err)"
    t1=$(date +%s.%N)
    grep -qxF "file ok: $1 $size $sum" send.out ||
        fail "send $1: $(cat send.out)"
    wait_line files.out "FILE $1 $size $sum"
    cmp "$1" "recv/$1" || fail "recv/$1 differs from $1"
    echo "sent $1 ($size bytes) in $(awk "BEGIN { print $t1 - $t0 }") s"
}

# --- usage -----------------------------------------------------------------
"$SECIP" serve --help | grep -q -- "--files-dir" || fail "serve --help"
"$SECIP" send --help | grep -q -- "--file PATH" || fail "send --help"
rc=0; "$SECIP" serve --listen 127.0.0.1:0 --file-memory-max 10 2> err.txt ||
    rc=$?
[ $rc = 2 ] || fail "--file-memory-max without --files-dir exited $rc"

# --- files of a few MiB and of 100 kB --------------------------------------
head -c 6000000 /dev/urandom > big.bin
head -c 100000 /dev/urandom > small.bin
start_server files --files-dir recv
send_file big.bin
# Without a terminal: plain progress lines, the last at 100%, at most one
# per 10% step.
n=$(grep -c '^progress: ' send.err || true)
[ "$n" -ge 1 ] && [ "$n" -le 11 ] || fail "$n progress lines: $(cat send.err)"
grep -q '^progress: 100% 6000000 of 6000000 bytes' send.err ||
    fail "no final progress line: $(cat send.err)"
if grep -q "$(printf '\r')" send.err; then fail "carriage return in a log"; fi
send_file small.bin
# Text messages are still echoed on the same server.
"$SECIP" send --connect "127.0.0.1:$PORT" --pin "$FP" --text hi > send.out ||
    fail "text after files"
grep -q "^echo ok: TEXT hi" send.out || fail "text echo: $(cat send.out)"

# --- failures --------------------------------------------------------------
rc=0
"$SECIP" send --connect "127.0.0.1:$PORT" --pin "$FP" --file missing.bin \
    > send.out 2> send.err || rc=$?
[ $rc = 1 ] || fail "missing file exited $rc"
grep -q "^secip: missing.bin" send.err || fail "missing: $(cat send.err)"
stop_server files

# A server without a download directory refuses files above its in-memory
# limit: the sender fails with the receiver's reason.
start_server nodir
rc=0
"$SECIP" send --connect "127.0.0.1:$PORT" --pin "$FP" --file big.bin \
    > send.out 2> send.err || rc=$?
[ $rc = 1 ] || fail "send to a server without --files-dir exited $rc"
echo "refused as expected: $(tail -1 send.err)"
stop_server nodir

# --- samples/file_transfer -------------------------------------------------
if [ -n "$SAMPLE" ]; then
    mkdir -p sample
    "$SAMPLE" sample big.bin > sample.out 2> sample.err ||
        fail "file_transfer sample: $(cat sample.err)"
    grep -q "^server says: big.bin arrived: 6000000 bytes" sample.out ||
        fail "sample: $(cat sample.out)"
    cmp big.bin sample/big.bin || fail "sample: big.bin differs"
    "$SAMPLE" sample > sample.out 2> sample.err ||
        fail "file_transfer sample (generated): $(cat sample.err)"
    grep -q "^server says: generated.bin arrived: 3145728 bytes" sample.out ||
        fail "sample: $(cat sample.out)"
    cat sample.out
fi

echo "file_send: all checks passed"
