#!/bin/sh
# tests/ca/test_ca_crash.sh SECIP_CA WORKDIR [LAUNCHER...] -- crash safety
# of the user database.  50 times: a burst of `secip-ca user add` runs in
# the background and is killed with SIGKILL (the whole process group, so
# the writer dies mid-operation) at a random instant.  After every kill
# the database must load and hold every user whose addition was
# acknowledged (exit status 0 reported before the kill).
#
# LAUNCHER runs the program: empty natively; for the Windows build the
# Wine loader (`env WINEDEBUG=-all WINEPREFIX=... /usr/lib/wine/wine64`),
# so that secip-ca.exe, in the Linux process that Wine runs it in, is what
# SIGKILL hits: Windows' own file locking and MoveFileEx replacement,
# as Wine implements them, are then what must survive.  The wineserver
# must already run (CTest's wine_start fixture): it is outside the burst's
# process group and survives the kills, as the OS kernel would.
set -eu
CA="$1"
case "$CA" in /*) ;; *) CA="$(pwd)/$CA" ;; esac
cd "$2"
shift 2
DIR="crash-$$" # relative: the same path text works under Wine
ROUNDS=${SECIP_CRASH_ROUNDS:-50}
# Random kill instants in [0, KILL_MS) ms after the burst starts; a Wine
# launch takes a few hundred ms, so the window is wider there.
if [ "$#" -gt 0 ]; then KILL_MS=${SECIP_CRASH_KILL_MS:-2500}; else KILL_MS=${SECIP_CRASH_KILL_MS:-400}; fi
rm -rf "$DIR"
mkdir -p "$DIR"
PW="$DIR/pw"
printf 'crash-test-password\n' > "$PW"
"$@" "$CA" --dir "$DIR/ca" init > /dev/null
ACKED="$DIR/acked"
: > "$ACKED"
rnd() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }

# The burst runs in its own session (setsid), so that one kill of its
# process group reaches the secip-ca process that is writing right now.
export CA DIR PW ACKED
round=1
while [ "$round" -le "$ROUNDS" ]; do
    ROUND=$round setsid sh -c '
        i=1
        while [ "$i" -le 200 ]; do
            name="u${ROUND}x$i"
            if "$@" "$CA" --dir "$DIR/ca" --password-file "$PW" \
                --iterations 1000 user add "$name" > /dev/null 2>&1; then
                echo "$name" >> "$ACKED"
            fi
            i=$((i + 1))
        done' sh "$@" &
    job=$!
    ms=$(( $(rnd) % KILL_MS ))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -KILL -"$job" 2> /dev/null || kill -KILL "$job" 2> /dev/null || true
    wait "$job" 2> /dev/null || true
    if ! "$@" "$CA" --dir "$DIR/ca" user list > "$DIR/list" 2> "$DIR/err"; then
        echo "round $round: database does not load:"
        cat "$DIR/err"
        exit 1
    fi
    while read -r name; do
        if ! grep -q "^$name " "$DIR/list"; then
            echo "round $round: acknowledged user $name is missing"
            exit 1
        fi
    done < "$ACKED"
    round=$((round + 1))
done
users=$(($(wc -l < "$DIR/list") - 1))
leftovers=$(find "$DIR/ca" -name '*.tmp*' | wc -l)
echo "$ROUNDS kills${1:+ (under $*)}: database loads, $(wc -l < "$ACKED") acknowledged users all present ($users in the database, $leftovers temporary files left by killed writers)"
rm -rf "$DIR"
