#!/bin/sh
# tests/tools/serve_send.sh -- `secip serve` and `secip send` end to end on
# 127.0.0.1: every message type in every trust mode (pinned, no-CA, CA with
# and without --name), client certificates, and the refusals (wrong pin,
# wrong name, wrong CA, missing client certificate, no trust option).
#
#   serve_send.sh SECIP TOOLS_PKI WORKDIR
set -eu
SECIP=$1
PKI=$2
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
trap '[ -z "$SRV_PID" ] || kill "$SRV_PID" 2>/dev/null || true' EXIT

# start_server NAME ARGS...: run `secip serve` in the background with its
# output in NAME.out; sets SRV_PID, PORT and FP from its first line.
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
    line=$(head -1 "$name.out")
    echo "$name: $line"
    PORT=$(echo "$line" | sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) fingerprint [0-9a-f]\{64\}$/\1/p')
    FP=$(echo "$line" | sed 's/.* fingerprint //')
    [ -n "$PORT" ] && [ "$PORT" -gt 0 ] || fail "$name: bad first line: $line"
}

# stop_server NAME: SIGTERM, then the server must exit 0 within 10 s.
stop_server() {
    kill -TERM "$SRV_PID"
    i=0
    while kill -0 "$SRV_PID" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 100 ] || fail "$1: server ignores SIGTERM"
        sleep 0.1
    done
    rc=0
    wait "$SRV_PID" || rc=$?
    SRV_PID=
    [ $rc = 0 ] || fail "$1: server exited with $rc: $(cat "$1.err")"
    grep -q "^stopped after" "$1.out" || fail "$1: no 'stopped' line"
}

# send_ok WHAT TRUST...: send one message (WHAT is text, bytes, object or
# list) with the given trust options; must exit 0 with an echo ok line.
send_ok() {
    what=$1
    shift
    case $what in
    text) set -- "$@" --text "$TEXT" ;;
    bytes) set -- "$@" --bytes-file data.bin ;;
    object) set -- "$@" --json-file object.json ;;
    list) set -- "$@" --json-file list.json ;;
    esac
    "$SECIP" send --connect "127.0.0.1:$PORT" --timeout 10000 "$@" \
        > send.out 2> send.err || fail "send $what $*: $(cat send.err)"
    grep -q "^echo ok: " send.out || fail "send $what: $(cat send.out)"
}

# send_refused REASON ARGS...: must exit 1 with one line containing REASON.
send_refused() {
    reason=$1
    shift
    rc=0
    "$SECIP" send --connect "127.0.0.1:$PORT" --timeout 10000 "$@" \
        > send.out 2> send.err || rc=$?
    [ $rc = 1 ] || fail "send $* exited $rc, expected 1: $(cat send.err)"
    [ "$(wc -l < send.err)" = 1 ] || fail "not one line: $(cat send.err)"
    grep -q "^secip: .*$reason" send.err ||
        fail "reason '$reason' missing: $(cat send.err)"
    echo "refused as expected: $(cat send.err)"
}

# all_types TRUST...: the four message types with these trust options.
all_types() {
    for w in text bytes object list; do send_ok $w "$@"; done
}

# The messages, and what the server must print for them.
TEXT="hello secip, w$(printf '\303\266')rld"
TEXT_LINE='TEXT hello secip, w\xc3\xb6rld'
head -c 100000 /dev/urandom > data.bin
BYTES_LINE="BYTES 100000 $(sha256sum data.bin | cut -c1-64)"
printf '{"name": "secip", "n": [1, 2.5, {"deep": true}], "s": null}\n' \
    > object.json
OBJECT_LINE='OBJECT {"name":"secip","n":[1,2.5,{"deep":true}],"s":null}'
printf '[1, "two", {"three": 3}]' > list.json
LIST_LINE='LIST [1,"two",{"three":3}]'

check_printed() {
    grep -qxF "$TEXT_LINE" "$1.out" || fail "$1: no TEXT line"
    grep -qxF "$BYTES_LINE" "$1.out" || fail "$1: no BYTES line"
    grep -qxF "$OBJECT_LINE" "$1.out" || fail "$1: no OBJECT line"
    grep -qxF "$LIST_LINE" "$1.out" || fail "$1: no LIST line"
}

# --- usage ---------------------------------------------------------------
"$SECIP" serve --help | grep -q "exit status" || fail "serve --help"
"$SECIP" send --help | grep -q "exit status" || fail "send --help"
rc=0; "$SECIP" serve 2> err.txt || rc=$?
[ $rc = 2 ] || fail "serve without --listen exited $rc"
rc=0; "$SECIP" serve --listen nowhere 2> err.txt || rc=$?
[ $rc = 2 ] || fail "serve --listen nowhere exited $rc"

# --- self-signed server: pinned and no-CA modes ----------------------------
start_server selfsigned
all_types --pin "$FP"
grep -q "verified" send.out || fail "pinned session not verified"
all_types --insecure
grep -q "NOT verified" send.out || fail "insecure session claims verified"
check_printed selfsigned
[ "$(grep -c '^session .* closed: normal$' selfsigned.out)" = 8 ] ||
    fail "selfsigned: 8 sessions should have closed normally"

# Refusals: wrong pin, no trust option, two trust options, malformed pin.
case $FP in
0*) WRONG=1${FP#?} ;;
*) WRONG=0${FP#?} ;;
esac
send_refused "pin mismatch" --pin "$WRONG" --text x
rc=0; "$SECIP" send --connect "127.0.0.1:$PORT" --text x 2> err.txt || rc=$?
[ $rc = 2 ] || fail "send without a trust option exited $rc"
grep -q "exactly one of --ca, --pin and --insecure" err.txt ||
    fail "no-trust message: $(cat err.txt)"
rc=0; "$SECIP" send --connect "127.0.0.1:$PORT" --insecure --pin "$FP" \
    --text x 2> err.txt || rc=$?
[ $rc = 2 ] || fail "send with two trust options exited $rc"
send_refused "pin" --pin 12zz --text x
# Local input errors: nothing is sent, one line says why.
printf '"just a string"' > string.json
send_refused "string.json: JSON must be an object or an array" --insecure \
    --json-file string.json
printf '{"a": 1} trailing' > trailing.json
send_refused "trailing.json: invalid JSON" --insecure --json-file trailing.json
send_refused "cannot open missing.bin" --insecure --bytes-file missing.bin
# Empty messages are messages too.
: > empty.bin
"$SECIP" send --connect "127.0.0.1:$PORT" --insecure --bytes-file empty.bin \
    > send.out || fail "empty bytes"
grep -q "^echo ok: BYTES 0 e3b0c442" send.out || fail "empty: $(cat send.out)"
"$SECIP" send --connect "127.0.0.1:$PORT" --insecure --text "" > send.out ||
    fail "empty text"
stop_server selfsigned
send_refused "cannot connect" --insecure --text x

# --- CA-issued server certificate ----------------------------------------
"$SECIP" keygen --bits 2048 --out server > /dev/null || fail "keygen server"
"$SECIP" keygen --bits 2048 --out client > /dev/null || fail "keygen client"
"$PKI" ca ca "secip Tools Test CA" || fail "make CA"
"$PKI" ca otherca "Some Other CA" || fail "make other CA"
"$PKI" issue ca server server.test server server.test 127.0.0.1 ||
    fail "issue server"
"$PKI" issue ca client client.test client || fail "issue client"

start_server ca --key server.key --cert server.pem
all_types --ca ca.pem
grep -q "^server 127.0.0.1, verified" send.out || fail "CA: $(cat send.out)"
all_types --ca ca.pem --name server.test
grep -q "^server server.test, verified" send.out || fail "name: $(cat send.out)"
send_ok text --pin "$FP"
check_printed ca
send_refused "verification failed: .*name mismatch" --ca ca.pem \
    --name wrong.test --text x
send_refused "verification failed" --ca otherca.pem --text x
stop_server ca

# --- a given key with a self-signed certificate: same fingerprint --------
CA_FP=$FP
start_server keyonly --key server.key
[ "$FP" = "$CA_FP" ] || fail "keyonly: fingerprint $FP, expected $CA_FP"
send_ok object --pin "$FP"
send_refused "verification failed" --ca ca.pem --text x
stop_server keyonly

# --- client certificates required ----------------------------------------
start_server mtls --key server.key --cert server.pem --ca ca.pem \
    --require-client-cert
# The server aborts the handshake: the client sees it closed or reset.
send_refused "cannot connect to .*: TLS" --ca ca.pem --text x
send_ok text --ca ca.pem --key client.key --cert client.pem
grep -q "client client.test" mtls.out || fail "mtls: client name not printed"
grep -qxF "$TEXT_LINE" mtls.out || fail "mtls: no TEXT line"
stop_server mtls

# --- --once: the server exits by itself after one session ----------------
start_server once --once --threads 1
send_ok bytes --pin "$FP"
i=0
while kill -0 "$SRV_PID" 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "--once server still running"
    sleep 0.1
done
rc=0; wait "$SRV_PID" || rc=$?
SRV_PID=
[ $rc = 0 ] || fail "--once server exited with $rc"
grep -q "^stopped after 1 session" once.out || fail "--once: $(cat once.out)"

echo "serve_send: all checks passed"
