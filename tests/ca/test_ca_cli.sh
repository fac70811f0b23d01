#!/bin/sh
# tests/ca/test_ca_cli.sh SECIP_CA SECIP BINDIR -- the tools end to end:
# secip-ca init / user add / serve, `secip enroll`, issued, revoke, and the
# password rules (never from the command line).
set -eu
CA="$1"
SECIP="$2"
DIR="$3/cli-$$"
rm -rf "$DIR"
mkdir -p "$DIR"
fail() { echo "FAIL: $*"; [ -n "${srv:-}" ] && kill "$srv" 2> /dev/null; exit 1; }

"$CA" --dir "$DIR/ca" init || fail init
[ -f "$DIR/ca/ca.key" ] && [ -f "$DIR/ca/ca.pem" ] && [ -f "$DIR/ca/users.json" ] || fail "init files"
printf 'alice-pw\n' > "$DIR/pw"
SECIP_PASSWORD=x "$CA" --dir "$DIR/ca" --password-file "$DIR/pw" --iterations 1000 user add alice || fail "user add"
SECIP_PASSWORD=bob-pw "$CA" --dir "$DIR/ca" --iterations 1000 user add bob || fail "user add env"
if env -u SECIP_PASSWORD "$CA" --dir "$DIR/ca" user add carol 2> /dev/null; then fail "add without password"; fi
"$CA" --dir "$DIR/ca" user disable bob || fail disable
"$CA" --dir "$DIR/ca" user list | tee "$DIR/list"
grep -q '^alice  *yes' "$DIR/list" || fail "list alice"
grep -q '^bob  *no' "$DIR/list" || fail "list bob"
grep -q 'alice-pw' "$DIR/ca/users.json" && fail "clear password on disk"

"$CA" --dir "$DIR/ca" serve --listen 127.0.0.1:0 > "$DIR/serve.out" 2>&1 &
srv=$!
i=0
while ! grep -q 'serving' "$DIR/serve.out"; do
    i=$((i + 1)); [ "$i" -lt 100 ] || fail "server did not start"; sleep 0.1
done
port=$(sed -n 's/.*on 127.0.0.1:\([0-9]*\).*/\1/p' "$DIR/serve.out")
"$SECIP" enroll --ca "127.0.0.1:$port" --ca-cert "$DIR/ca/ca.pem" --user alice \
    --out "$DIR/alice" --password-file "$DIR/pw" || fail "enroll alice"
[ -f "$DIR/alice.key" ] && [ -f "$DIR/alice.pem" ] || fail "enroll files"
if SECIP_PASSWORD=bob-pw "$SECIP" enroll --ca "127.0.0.1:$port" --ca-cert "$DIR/ca/ca.pem" \
    --user bob --out "$DIR/bob" 2> "$DIR/bob.err"; then fail "disabled bob enrolled"; fi
grep -q 'user disabled' "$DIR/bob.err" || fail "bob reason"
"$CA" --dir "$DIR/ca" user enable bob
sleep 1.2 # the back-off after bob's failure is not counted (disabled), but be safe
SECIP_PASSWORD=bob-pw "$SECIP" enroll --ca "127.0.0.1:$port" --ca-cert "$DIR/ca/ca.pem" \
    --user bob --out "$DIR/bob" || fail "bob after enable (no server restart)"
if command -v openssl > /dev/null; then
    openssl verify -CAfile "$DIR/ca/ca.pem" "$DIR/alice.pem" || fail "openssl verify"
fi
"$CA" --dir "$DIR/ca" issued | tee "$DIR/issued"
serial=$(awk '$2 == "alice" { print $1 }' "$DIR/issued")
[ -n "$serial" ] || fail "issued lists alice"
"$CA" --dir "$DIR/ca" revoke "$serial" || fail revoke
"$CA" --dir "$DIR/ca" issued | grep "^$serial .*revoked" || fail "revoked status"
grep -q '"event":"granted"' "$DIR/ca/audit.log" || fail "audit grant"
grep -q '"reason":"user disabled"' "$DIR/ca/audit.log" || fail "audit denial"
grep -q '"event":"revoked"' "$DIR/ca/audit.log" || fail "audit revocation"
grep -q -e 'alice-pw' -e 'bob-pw' "$DIR/ca/audit.log" && fail "password in the audit log"
kill "$srv"
wait "$srv" 2> /dev/null || true
rm -rf "$DIR"
echo "ok"
