#!/bin/sh
# tests/ca/test_ca_cli.sh SECIP_CA SECIP WORKDIR [LAUNCHER...] -- every
# command line of
# issue 6, end to end: secip-ca init / user add|remove|passwd|enable|
# disable|list / serve --listen / revoke / issued, `secip enroll`, and the
# password rules: from --password-file, SECIP_PASSWORD or the terminal
# without echo (tested on a pseudo-terminal with script(1) when present),
# never from the command line.  LAUNCHER (the Wine loader for the Windows
# build) runs the programs; its words must not contain spaces.
set -eu
SCRATCH=cli
# shellcheck source=cli_env.sh
. "$(dirname "$0")/cli_env.sh"
fail() { echo "FAIL: $*"; [ -n "${srv:-}" ] && kill -KILL "$srv" 2> /dev/null; exit 1; }
CAD="$DIR/ca"
# shellcheck disable=SC2086 # $L is a word list on purpose
xca() { $L "$CA" "$@"; }
# shellcheck disable=SC2086
xsecip() { $L "$SECIP" "$@"; }
ca() { xca --dir "$CAD" --iterations 1000 "$@"; }

# ---- init and users -----------------------------------------------------
xca --dir "$CAD" init || fail init
[ -f "$CAD/ca.key" ] && [ -f "$CAD/ca.pem" ] && [ -f "$CAD/users.json" ] || fail "init files"
if xca --dir "$CAD" init 2> /dev/null; then fail "second init over an existing CA"; fi
printf 'alice-pw\n' > "$DIR/pw"
SECIP_PASSWORD=x ca --password-file "$DIR/pw" user add alice || fail "user add (file wins over env)"
SECIP_PASSWORD=bob-pw ca user add bob || fail "user add env"
SECIP_PASSWORD=dave-pw ca user add dave || fail "user add dave"
# Without a password source and without a terminal: a clear refusal.
if (unset SECIP_PASSWORD; xca --dir "$CAD" user add carol < /dev/null 2> "$DIR/err"); then
    fail "add without password"
fi
grep -q 'not a terminal; use --password-file FILE or set SECIP_PASSWORD' "$DIR/err" || fail "no-tty message: $(cat "$DIR/err")"
# Never from the command line: an extra argument is refused.
if SECIP_PASSWORD=x ca user add carol carol-pw 2> /dev/null; then fail "password accepted from argv"; fi
if ca --password carol-pw user add carol 2> /dev/null; then fail "--password accepted"; fi
if SECIP_PASSWORD=x ca user add alice 2> /dev/null; then fail "duplicate user"; fi
if SECIP_PASSWORD=x ca user add 'bad name' 2> /dev/null; then fail "bad user name"; fi
ca user remove dave || fail "user remove"
if ca user remove dave 2> /dev/null; then fail "remove twice"; fi
if ca user enable nobody 2> /dev/null; then fail "enable unknown user"; fi
xca --dir "$CAD" user disable bob || fail disable
xca --dir "$CAD" user list | tr -d '\r' | tee "$DIR/list" # CRLF on Windows
head -1 "$DIR/list" | grep -q '^NAME  *ENABLED  *ADMIN  *CERTIFICATES  *LAST ISSUED$' || fail "list header"
grep -q '^alice  *yes  *no  *0  *-$' "$DIR/list" || fail "list alice"
grep -q '^bob  *no ' "$DIR/list" || fail "list bob"
grep -q '^dave ' "$DIR/list" && fail "removed dave still listed"
grep -q 'alice-pw' "$CAD/users.json" && fail "clear password on disk"

# ---- serve and enroll ---------------------------------------------------
# A simple command (not a function), so that $! is the server itself.
# shellcheck disable=SC2086
$L "$CA" --dir "$CAD" serve --listen 127.0.0.1:0 > "$DIR/serve.out" 2>&1 &
srv=$!
i=0
while ! grep -q 'serving' "$DIR/serve.out"; do
    i=$((i + 1)); [ "$i" -lt 100 ] || fail "server did not start"; sleep 0.1
done
port=$(sed -n 's/.*on 127.0.0.1:\([0-9]*\).*/\1/p' "$DIR/serve.out")
enroll() { xsecip enroll --ca "127.0.0.1:$port" --ca-cert "$CAD/ca.pem" "$@"; }
enroll --user alice --out "$DIR/alice" --password-file "$DIR/pw" || fail "enroll alice"
[ -f "$DIR/alice.key" ] && [ -f "$DIR/alice.pem" ] || fail "enroll files"
if enroll --user alice --out "$DIR/x" --password alice-pw 2> /dev/null; then fail "enroll --password accepted"; fi
if (unset SECIP_PASSWORD; xsecip enroll --ca "127.0.0.1:$port" --ca-cert "$CAD/ca.pem" \
    --user alice --out "$DIR/x" < /dev/null 2> "$DIR/err"); then fail "enroll without password"; fi
grep -q 'not a terminal; use --password-file FILE or set SECIP_PASSWORD' "$DIR/err" || fail "enroll no-tty message"
if SECIP_PASSWORD=bob-pw enroll --user bob --out "$DIR/bob" 2> "$DIR/bob.err"; then fail "disabled bob enrolled"; fi
grep -q 'user disabled' "$DIR/bob.err" || fail "bob reason"
xca --dir "$CAD" user enable bob
SECIP_PASSWORD=bob-pw enroll --user bob --out "$DIR/bob" || fail "bob after enable (no server restart)"
if command -v openssl > /dev/null; then
    openssl verify -CAfile "$CAD/ca.pem" "$DIR/alice.pem" || fail "openssl verify"
fi
xca --dir "$CAD" user list | tr -d '\r' > "$DIR/list"
grep -q '^alice  *yes  *no  *1  *20[0-9-]* [0-9:]*Z$' "$DIR/list" || fail "list: alice's certificate and last issued"

# user passwd: the new password works, the old one no longer does.
printf 'alice-new\n' > "$DIR/pw2"
ca --password-file "$DIR/pw2" user passwd alice || fail "user passwd"
if enroll --user alice --out "$DIR/old" --password-file "$DIR/pw" 2> "$DIR/err"; then fail "old password after passwd"; fi
grep -q 'wrong password' "$DIR/err" || fail "old password reason"
sleep 1.2 # the default back-off after one failure is 1 s
enroll --user alice --out "$DIR/alice2" --password-file "$DIR/pw2" || fail "new password after passwd"

# ---- passwords typed on a terminal, not echoed ----------------------------
# type_on TS PROMPT SECRET [PROMPT SECRET]...: wait for each prompt to
# appear in the typescript TS, then type its SECRET and Enter.
type_on() {
    ts=$1; shift
    while [ "$#" -ge 2 ]; do
        i=0
        while ! grep -q "$1" "$ts" 2> /dev/null; do
            i=$((i + 1)); [ "$i" -lt 150 ] || break; sleep 0.1
        done
        # Under Wine, keys typed the moment the prompt showed were once
        # (in about ten runs) echoed and then lost, and the read waited until
        # the test's timeout: Wine's console host had read them from the
        # terminal before it applied the echo-off mode.  Nobody types within
        # 0.3 s of a prompt, so wait that long.
        sleep 0.3
        printf '%s\r' "$2" # Enter (the terminal maps CR to NL if cooked)
        shift 2
    done
    sleep 0.5
}
# The typescript as plain text: Wine's console draws with escape sequences
# between the characters, which would hide an echoed password from grep.
ESC=$(printf '\033')
plain() { tr -d '\r' < "$1" | sed "s/$ESC\[[0-9;?]*[A-Za-z]//g"; }
if command -v script > /dev/null 2>&1; then
    # The harness sees echo when there is echo (so the checks below can fail).
    type_on "$DIR/echo.ts" 'Started' visible-typing | \
        script -qfec "sh -c 'echo Started; read x'" "$DIR/echo.ts" > /dev/null
    plain "$DIR/echo.ts" | grep -q 'visible-typing' || fail "pty harness: echo not captured"
    type_on "$DIR/add.ts" 'Password for carol' typed-secret-1 'Repeat' typed-secret-1 | \
        env -u SECIP_PASSWORD script -qfec "$L \"$CA\" --dir \"$CAD\" --iterations 1000 user add carol" \
        "$DIR/add.ts" > /dev/null || fail "user add from the terminal: $(cat "$DIR/add.ts")"
    plain "$DIR/add.ts" | grep -q 'typed-secret' && fail "the typed password was echoed"
    plain "$DIR/add.ts" | tr -d ' ' | grep -q 'usercarol:adddone' || fail "carol added: $(plain "$DIR/add.ts")"
    # A new password typed twice differently is refused (carol's stays).
    if type_on "$DIR/mis.ts" 'Password for carol' typed-secret-2 'Repeat' typed-secret-3 | \
        env -u SECIP_PASSWORD script -qfec "$L \"$CA\" --dir \"$CAD\" user passwd carol" \
        "$DIR/mis.ts" > /dev/null; then fail "passwd with two different passwords"; fi
    plain "$DIR/mis.ts" | tr -d ' ' | grep -q 'thepasswordsdonotmatch' || fail "mismatch message: $(plain "$DIR/mis.ts")"
    type_on "$DIR/enr.ts" 'Password for carol' typed-secret-1 | \
        env -u SECIP_PASSWORD script -qfec "$L \"$SECIP\" enroll --ca 127.0.0.1:$port --ca-cert \"$CAD/ca.pem\" --user carol --out \"$DIR/carol\"" \
        "$DIR/enr.ts" > /dev/null || fail "enroll from the terminal: $(cat "$DIR/enr.ts")"
    plain "$DIR/enr.ts" | grep -q 'typed-secret' && fail "the typed password was echoed by enroll"
    [ -f "$DIR/carol.pem" ] || fail "carol enrolled with the typed password"
    if [ -z "$L" ]; then
        # A signal during the prompt: echo is back on afterwards, and the
        # process still dies of the signal (exit status 128 + 15).
        sleep 3 | env -u SECIP_PASSWORD script -qfec "sh -c '\"$CA\" --dir \"$CAD\" user add quinn < /dev/tty & p=\$!; sleep 1; stty -a; kill -TERM \$p; wait \$p; echo exit=\$?; stty -a'" \
            "$DIR/sig.ts" > /dev/null || fail "signal test harness"
        plain "$DIR/sig.ts" | sed 1d | tr ' ;' '\n\n' | grep -x -e echo -e -echo -e 'exit=[0-9]*' | tr '\n' ' ' > "$DIR/sig.out"
        [ "$(cat "$DIR/sig.out")" = "-echo exit=143 echo " ] || fail "echo not restored after SIGTERM: $(cat "$DIR/sig.out")"
        echo "SIGTERM during the prompt: echo restored, process terminated"
    fi
    echo "passwords typed on a pseudo-terminal: accepted, never echoed"
else
    echo "script(1) not installed: terminal password test skipped"
fi

# ---- issued and revoke --------------------------------------------------
xca --dir "$CAD" issued | tr -d '\r' | tee "$DIR/issued"
head -1 "$DIR/issued" | grep -q '^SERIAL  *USER  *ISSUED  *NOT AFTER  *STATUS$' || fail "issued header"
serial=$(awk '$2 == "alice" { print $1; exit }' "$DIR/issued")
[ -n "$serial" ] || fail "issued lists alice"
xca --dir "$CAD" revoke "$serial" || fail revoke
xca --dir "$CAD" issued | grep "^$serial .*revoked" || fail "revoked status"
if xca --dir "$CAD" revoke "$serial" 2> /dev/null; then fail "revoke twice"; fi
if xca --dir "$CAD" revoke 00ff 2> /dev/null; then fail "revoke unknown serial"; fi
grep -q '"event":"granted"' "$CAD/audit.log" || fail "audit grant"
grep -q '"reason":"user disabled"' "$CAD/audit.log" || fail "audit denial"
grep -q '"event":"revoked"' "$CAD/audit.log" || fail "audit revocation"
grep -q -e 'alice-pw' -e 'bob-pw' -e 'alice-new' -e 'typed-secret' "$CAD/audit.log" && fail "password in the audit log"
kill -KILL "$srv"
wait "$srv" 2> /dev/null || true
rm -rf "$DIR"
echo "ok"
