#!/bin/sh
# tests/ca/test_serve_revoke.sh SECIP_CA SECIP WORKDIR [LAUNCHER...] --
# `secip serve --revocations`: a server that requires client certificates
# fetches the CA's revocation list at start and again every second here;
# alice's session works, the CA revokes her certificate, and without a
# restart the server refuses her at the handshake while bob still gets in.
# A CA that cannot be reached at start is an error (exit 1), not a server
# running without the checks it was asked for.
set -eu
SCRATCH=revoke
# shellcheck source=cli_env.sh
. "$(dirname "$0")/cli_env.sh"
pids=""
fail() {
    echo "FAIL: $*"
    for p in $pids; do kill -KILL "$p" 2> /dev/null || true; done
    exit 1
}
CAD="$DIR/ca"
# shellcheck disable=SC2086 # $L is a word list on purpose
xca() { $L "$CA" --dir "$CAD" --iterations 1000 "$@"; }
# shellcheck disable=SC2086
xsecip() { $L "$SECIP" "$@"; }
# wait_line FILE PATTERN: up to 15 s for PATTERN to appear in FILE.
wait_line() {
    i=0
    while ! grep -q "$2" "$1" 2> /dev/null; do
        i=$((i + 1)); [ "$i" -lt 150 ] || fail "no '$2' in $1: $(cat "$1")"; sleep 0.1
    done
}

xca init > /dev/null || fail "CA init"
SECIP_PASSWORD=alice-pw xca user add alice > /dev/null || fail "add alice"
SECIP_PASSWORD=bob-pw xca user add bob > /dev/null || fail "add bob"
# shellcheck disable=SC2086
$L "$CA" --dir "$CAD" serve --listen 127.0.0.1:0 > "$DIR/ca.out" 2>&1 &
pids="$!"
wait_line "$DIR/ca.out" serving
caport=$(sed -n 's/.*on 127.0.0.1:\([0-9]*\).*/\1/p' "$DIR/ca.out")
for u in alice bob; do
    SECIP_PASSWORD=$u-pw xsecip enroll --ca "127.0.0.1:$caport" --ca-cert "$CAD/ca.pem" \
        --user $u --out "$DIR/$u" > /dev/null || fail "enroll $u"
done

# Refused at start when the CA is not there (port 1: nothing listens).
if xsecip serve --listen 127.0.0.1:0 --ca "$CAD/ca.pem" --require-client-cert \
    --revocations 127.0.0.1:1 > /dev/null 2> "$DIR/err"; then
    fail "serve started without its revocation list"
fi
grep -q 'revocations from 127.0.0.1:1' "$DIR/err" || fail "start error: $(cat "$DIR/err")"
if xsecip serve --listen 127.0.0.1:0 --revocations "127.0.0.1:$caport" 2> /dev/null; then
    fail "--revocations accepted without --ca"
fi

# shellcheck disable=SC2086
$L "$SECIP" serve --listen 127.0.0.1:0 --ca "$CAD/ca.pem" --require-client-cert \
    --revocations "127.0.0.1:$caport" --revocations-every 1 > "$DIR/serve.out" 2>&1 &
pids="$pids $!"
wait_line "$DIR/serve.out" 'listening on'
grep -q '0 revoked certificate' "$DIR/serve.out" || fail "first list: $(cat "$DIR/serve.out")"
port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\) .*/\1/p' "$DIR/serve.out")
fp=$(sed -n 's/^listening on .* fingerprint \([0-9a-f]*\).*/\1/p' "$DIR/serve.out")
send_as() {
    xsecip send --connect "127.0.0.1:$port" --pin "$fp" --key "$DIR/$1.key" \
        --cert "$DIR/$1.pem" --text "hello from $1"
}
send_as alice > /dev/null || fail "alice before revocation"

serial=$(xca issued | tr -d '\r' | awk '$2 == "alice" { print $1; exit }')
[ -n "$serial" ] || fail "alice's serial"
xca revoke "$serial" > /dev/null || fail revoke
wait_line "$DIR/serve.out" '1 revoked certificate'
if send_as alice > /dev/null 2> "$DIR/alice.err"; then fail "revoked alice got a session"; fi
echo "alice after revocation: $(tr -d '\r' < "$DIR/alice.err")"
send_as bob > /dev/null || fail "bob after alice's revocation"

for p in $pids; do kill -KILL "$p" 2> /dev/null || true; done
wait 2> /dev/null || true
rm -rf "$DIR"
echo ok
