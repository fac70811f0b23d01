#!/bin/sh
# tests/crypto/interop.sh -- secip keys and certificates against the
# openssl command-line tool, both ways (issue 3's interop acceptance).
#
#   interop.sh DRIVER OPENSSL WORKDIR
#
# DRIVER is crypto_interop_driver (see interop_driver.c).  Every step that
# fails prints what failed and the script exits non-zero.
set -eu
DRV=$1
OSSL=$2
DIR=$3

rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"

step() { echo "== $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }
expect_fail() { # expect_fail "needle" cmd...: cmd must fail, stderr has needle
    needle=$1; shift
    if "$@" 2>err.txt; then fail "expected failure: $*"; fi
    grep -F -- "$needle" err.txt >/dev/null ||
        fail "error for '$*' lacks '$needle': $(cat err.txt)"
    echo "   failed as expected: $(cat err.txt)"
}

step "secip makes keys and certificates"
"$DRV" mkall

step "openssl checks the secip key (PKCS#8) and public key (SPKI)"
"$OSSL" pkey -in ca.key -noout -check
"$OSSL" pkey -in leaf.key -noout -check
"$OSSL" pkey -pubin -in ca.pub -noout
head -1 ca.key | grep -qx -- "-----BEGIN PRIVATE KEY-----" || fail "not PKCS#8"
perm=$(stat -c %a ca.key)
[ "$perm" = 600 ] || fail "ca.key has mode $perm, want 600"
want=$("$OSSL" pkey -in ca.key -pubout -outform DER | sha256sum | cut -d' ' -f1)
got=$("$DRV" loadkey ca.key | sed 's/.*fingerprint //')
[ "$want" = "$got" ] || fail "key fingerprint $got, openssl says $want"

step "openssl x509 parses every kind of certificate secip issues"
for c in ca.pem leaf.pem client.pem inter.pem leaf2.pem far.pem; do
    "$OSSL" x509 -in "$c" -noout -text > "$c.txt" || fail "openssl x509 $c"
    grep -q "Version: 3 (0x2)" "$c.txt" || fail "$c is not v3"
    grep -q "Signature Algorithm: sha256WithRSAEncryption" "$c.txt" ||
        fail "$c signature algorithm"
    grep -q "X509v3 Subject Key Identifier" "$c.txt" || fail "$c SKI"
    grep -q "X509v3 Authority Key Identifier" "$c.txt" || fail "$c AKI"
    grep -q "X509v3 Basic Constraints: critical" "$c.txt" || fail "$c BC"
    grep -q "X509v3 Key Usage: critical" "$c.txt" || fail "$c KU"
done
grep -q "CA:TRUE" ca.pem.txt || fail "CA flag"
grep -q "CA:TRUE, pathlen:0" inter.pem.txt || fail "pathlen"
grep -q "Certificate Sign, CRL Sign" ca.pem.txt || fail "CA key usage"
grep -q "DNS:chat.example, DNS:\*.chat.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" leaf.pem.txt ||
    fail "leaf SANs"
grep -q "TLS Web Server Authentication" leaf.pem.txt || fail "server EKU"
grep -q "TLS Web Client Authentication" client.pem.txt || fail "client EKU"
grep -q "Subject: O = secip, CN = chat.example" leaf.pem.txt || fail "subject"
grep -q "Issuer: O = secip, CN = secip Interop CA" leaf.pem.txt || fail "issuer"
grep -q "Not After : Jan  1 00:00:00 2100 GMT" far.pem.txt || fail "2100 date"
grep -q "Not Before: Dec 31 23:59:59 2049 GMT" far.pem.txt || fail "2049 date"
# The same serial, issuer, fingerprint and key as secip reports.
serial=$("$OSSL" x509 -in leaf.pem -noout -serial | sed 's/serial=//' |
         tr 'A-F' 'a-f' | sed 's/^0*//')
"$DRV" loadcert leaf.pem > leaf.fields
grep -qx "serial $serial" leaf.fields || fail "serial $serial"
fp=$("$OSSL" x509 -in leaf.pem -noout -fingerprint -sha256 | sed 's/.*=//' |
     tr -d : | tr 'A-F' 'a-f')
grep -qx "fingerprint $fp" leaf.fields || fail "cert fingerprint"
# The SKI is the SHA-1 of the public key bits, as openssl computes it.
ski=$("$OSSL" x509 -in leaf.pem -noout -ext subjectKeyIdentifier | tail -1 |
      tr -d ' :')
"$OSSL" x509 -in leaf.pem -noout -pubkey |
    "$OSSL" pkey -pubin -outform DER > leaf.spki
calc=$(tail -c 270 leaf.spki | sha1sum | cut -d' ' -f1 | tr 'a-f' 'A-F')
[ "$ski" = "$calc" ] || fail "SKI $ski, SHA-1 of the key is $calc"

step "openssl verify accepts secip's CA and leaves"
"$OSSL" verify -CAfile ca.pem leaf.pem | grep -q ": OK" || fail "verify leaf"
"$OSSL" verify -CAfile ca.pem -purpose sslserver -verify_hostname chat.example \
    leaf.pem | grep -q ": OK" || fail "verify leaf as server"
"$OSSL" verify -CAfile ca.pem -purpose sslclient client.pem | grep -q ": OK" ||
    fail "verify client"
"$OSSL" verify -CAfile ca.pem -untrusted inter.pem leaf2.pem | grep -q ": OK" ||
    fail "verify chain"
"$OSSL" verify -CAfile ca.pem -no_check_time far.pem | grep -q ": OK" ||
    fail "verify 2050s certificate"
"$DRV" verify leaf2-chain.pem ca.pem files.example

step "openssl keys load in secip"
"$OSSL" genrsa -out o8.key 2048 2>/dev/null
head -1 o8.key | grep -q "BEGIN PRIVATE KEY" || fail "genrsa default not PKCS#8"
"$OSSL" genrsa -traditional -out o1.key 3072 2>/dev/null
head -1 o1.key | grep -q "BEGIN RSA PRIVATE KEY" || fail "not PKCS#1"
for k in o8.key o1.key; do
    want=$("$OSSL" pkey -in $k -pubout -outform DER | sha256sum | cut -d' ' -f1)
    "$DRV" loadkey $k | grep -q "private 1 fingerprint $want" ||
        fail "secip loads $k differently"
done
"$OSSL" pkey -in o8.key -pubout -out o8.pub
"$DRV" loadkey o8.pub | grep -q "private 0" || fail "SPKI from openssl"
"$OSSL" req -x509 -newkey rsa:2048 -nodes -keyout req.key -out req.pem \
    -subj "/CN=req.example" -days 30 2>/dev/null
"$DRV" loadkey req.key > /dev/null
"$DRV" loadcert req.pem | grep -qx "subject req.example" || fail "req.pem"

step "a leaf issued by an openssl CA verifies in secip"
"$OSSL" req -x509 -newkey rsa:2048 -nodes -keyout oca.key -out oca.pem \
    -subj "/O=OpenSSL Org/CN=OpenSSL Test CA" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
"$OSSL" req -new -newkey rsa:2048 -nodes -keyout oleaf.key -out oleaf.csr \
    -subj "/CN=files.example" 2>/dev/null
printf 'subjectAltName=DNS:files.example,IP:10.0.0.7\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' > ext.cnf
"$OSSL" x509 -req -in oleaf.csr -CA oca.pem -CAkey oca.key -CAcreateserial \
    -days 10 -extfile ext.cnf -out oleaf.pem 2>/dev/null
"$DRV" verify oleaf.pem oca.pem files.example
"$DRV" verify oleaf.pem oca.pem 10.0.0.7
expect_fail "name mismatch: expected chat.example, certificate is for files.example, 10.0.0.7" \
    "$DRV" verify oleaf.pem oca.pem chat.example
expect_fail "issuer is not the trusted CA" "$DRV" verify oleaf.pem ca.pem
expect_fail "issuer is not the trusted CA" "$DRV" verify leaf.pem oca.pem

step "secip issues with the openssl CA's key; openssl verifies it"
"$DRV" issue oca.key oca.pem sleaf.pem
"$OSSL" verify -CAfile oca.pem -verify_hostname secip-leaf.example sleaf.pem |
    grep -q ": OK" || fail "openssl verify of secip leaf from openssl CA"

step "4096-bit keys: an openssl CA key signs through secip"
"$OSSL" req -x509 -newkey rsa:4096 -nodes -keyout big.key -out big.pem \
    -subj "/CN=Big CA" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
"$DRV" loadkey big.key | grep -q "bits 4096 private 1" || fail "4096 key"
"$DRV" issue big.key big.pem bigleaf.pem
"$OSSL" verify -CAfile big.pem bigleaf.pem | grep -q ": OK" ||
    fail "openssl verify of a leaf signed with a 4096-bit key"
"$DRV" verify bigleaf.pem big.pem secip-leaf.example

step "weak, tampered and garbage input from openssl is refused clearly"
"$OSSL" genrsa -out weak.key 1024 2>/dev/null
expect_fail "1024 bits is too weak" "$DRV" loadkey weak.key
"$OSSL" x509 -in oleaf.pem -outform DER -out oleaf.der
size=$(wc -c < oleaf.der)
head -c $((size - 1)) oleaf.der > bad.der
printf '\001' >> bad.der
"$OSSL" x509 -inform DER -in bad.der -out bad.pem
expect_fail "bad signature on certificate 'files.example'" \
    "$DRV" verify bad.pem oca.pem files.example
head -c 200 oleaf.pem > trunc.pem
expect_fail "truncated" "$DRV" loadcert trunc.pem
echo "garbage" > garbage.pem
expect_fail "no PEM object" "$DRV" loadcert garbage.pem

echo "interop: all checks passed"
