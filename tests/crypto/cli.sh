#!/bin/sh
# tests/crypto/cli.sh -- the `secip keygen` and `secip cert show` commands.
#
#   cli.sh SECIP DRIVER WORKDIR
set -eu
SECIP=$1
DRV=$2
DIR=$3
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
fail() { echo "FAILED: $*" >&2; exit 1; }

"$SECIP" keygen --bits 2048 --out node > out.txt || fail "keygen"
cat out.txt
[ "$(stat -c %a node.key)" = 600 ] || fail "node.key is not 0600"
head -1 node.key | grep -qx -- "-----BEGIN PRIVATE KEY-----" || fail "PKCS#8"
head -1 node.pub | grep -qx -- "-----BEGIN PUBLIC KEY-----" || fail "SPKI"
"$DRV" loadkey node.key | grep -q "bits 2048 private 1" || fail "load key"
fp=$("$DRV" loadkey node.pub | sed 's/.*fingerprint //')
grep -qx "fingerprint: $fp" out.txt || fail "printed fingerprint"

# Refusals: one line on stderr, non-zero exit, files untouched.
if "$SECIP" keygen --bits 2048 --out node 2>err.txt; then fail "overwrote"; fi
[ "$(wc -l < err.txt)" = 1 ] && grep -q "already exists" err.txt ||
    fail "overwrite message: $(cat err.txt)"
"$SECIP" keygen --bits 2048 --out node --force > /dev/null || fail "--force"
if "$SECIP" keygen --bits 1024 --out weak 2>err.txt; then fail "1024 bits"; fi
grep -q "too weak" err.txt || fail "1024-bit message: $(cat err.txt)"
[ ! -e weak.key ] || fail "weak.key written"
if "$SECIP" keygen 2>/dev/null; then fail "keygen without --out"; fi
if "$SECIP" frobnicate 2>/dev/null; then fail "unknown command"; fi
"$SECIP" help | grep -q "keygen" || fail "help"

# cert show on a chain file that secip issued.
"$DRV" mkall
"$SECIP" cert show leaf.pem > show.txt || fail "cert show"
cat show.txt
grep -q "^subject: *CN=chat.example, O=secip$" show.txt || fail "subject"
grep -q "^issuer: *CN=secip Interop CA$" show.txt || fail "issuer"
grep -q "^serial: *[0-9a-f]\{16,32\}$" show.txt || fail "serial"
grep -q "^not before: *20[0-9-]* [0-9:]* UTC$" show.txt || fail "not before"
grep -q "^not after: " show.txt || fail "not after"
grep -q "^SANs: *DNS:chat.example, DNS:\*.chat.example, IP:127.0.0.1, IP:::1$" show.txt ||
    fail "SANs"
grep -q "^fingerprint: *SHA-256 [0-9a-f]\{64\}$" show.txt || fail "fingerprint"
"$SECIP" cert show leaf2-chain.pem | grep -q "certificate 2 of 2" ||
    fail "chain"
"$SECIP" cert show far.pem | grep -q "not after: *2100-01-01 00:00:00 UTC" ||
    fail "far date"
echo "not a cert" > junk.pem
if "$SECIP" cert show junk.pem 2>err.txt; then fail "junk accepted"; fi
grep -q "no PEM object" err.txt || fail "junk message: $(cat err.txt)"
if "$SECIP" cert show missing.pem 2>err.txt; then fail "missing file"; fi
grep -q "missing.pem" err.txt || fail "missing message"
echo "cli: all checks passed"
