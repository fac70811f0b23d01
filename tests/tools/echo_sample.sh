#!/bin/sh
# tests/tools/echo_sample.sh -- samples/echo end to end: echo_server on a
# free port, echo_client pinning its key (two sessions, the second resumed),
# a wrong pin refused, and the server stopping when its stdin closes.
#
#   echo_sample.sh ECHO_SERVER ECHO_CLIENT WORKDIR
set -eu
SERVER=$1
CLIENT=$2
DIR=$3
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
SRV_PID=
fail() {
    echo "FAILED: $*" >&2
    [ -z "$SRV_PID" ] || kill "$SRV_PID" 2>/dev/null || true
    exit 1
}

# The server stops at the end of its stdin: feed it from a FIFO that this
# script holds open on descriptor 3.
mkfifo stdin.fifo
"$SERVER" < stdin.fifo > server.out 2>&1 &
SRV_PID=$!
exec 3> stdin.fifo
i=0
until grep -q "^listening on" server.out 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 300 ] || fail "no 'listening on' line in 30 s: $(cat server.out)"
    sleep 0.1
done
line=$(head -1 server.out)
echo "$line"
PORT=$(echo "$line" | sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) fingerprint [0-9a-f]\{64\}$/\1/p')
FP=$(echo "$line" | sed 's/.* fingerprint //')
[ -n "$PORT" ] || fail "bad first line: $line"

"$CLIENT" 127.0.0.1 "$PORT" "$FP" "sample text" > client.out 2>&1 ||
    fail "client: $(cat client.out)"
cat client.out
[ "$(grep -c 'identical$' client.out)" = 4 ] || fail "4 identical echoes"
grep -q "verified 1, resumed 0" client.out || fail "first session"
grep -q "verified 1, resumed 1" client.out || fail "second session resumed"

case $FP in
0*) WRONG=1${FP#?} ;;
*) WRONG=0${FP#?} ;;
esac
if "$CLIENT" 127.0.0.1 "$PORT" "$WRONG" > wrong.out 2>&1; then
    fail "wrong pin accepted"
fi
grep -q "pin mismatch" wrong.out || fail "wrong pin message: $(cat wrong.out)"

exec 3>&-
i=0
while kill -0 "$SRV_PID" 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "server did not stop at the end of its input"
    sleep 0.1
done
rc=0
wait "$SRV_PID" || rc=$?
SRV_PID=
[ $rc = 0 ] || fail "server exited with $rc: $(cat server.out)"
grep -q "^stopped$" server.out || fail "no 'stopped' line"
echo "echo_sample: all checks passed"
