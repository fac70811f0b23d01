#!/bin/sh
# tests/ca/test_ca_crash.sh SECIP_CA BINDIR -- crash safety of the user
# database.  50 times: a burst of `secip-ca user add` runs in the
# background and is killed with SIGKILL (the whole process group, so the
# writer dies mid-operation) at a random instant.  After every kill the
# database must load and hold every user whose addition was acknowledged
# (exit status 0 reported before the kill).
set -eu
CA="$1"
DIR="$2/crash-$$"
ROUNDS=${SECIP_CRASH_ROUNDS:-50}
rm -rf "$DIR"
mkdir -p "$DIR"
PW="$DIR/pw"
printf 'crash-test-password\n' > "$PW"
"$CA" --dir "$DIR/ca" init > /dev/null
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
            if "$CA" --dir "$DIR/ca" --password-file "$PW" \
                --iterations 1000 user add "$name" > /dev/null 2>&1; then
                echo "$name" >> "$ACKED"
            fi
            i=$((i + 1))
        done' &
    job=$!
    # A random instant between 0 and ~400 ms into the burst.
    ms=$(( $(rnd) % 400 ))
    sleep "$(printf '0.%03d' "$ms")"
    kill -KILL -"$job" 2> /dev/null || kill -KILL "$job" 2> /dev/null || true
    wait "$job" 2> /dev/null || true
    if ! "$CA" --dir "$DIR/ca" user list > "$DIR/list" 2> "$DIR/err"; then
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
echo "$ROUNDS kills: database loads, $(wc -l < "$ACKED") acknowledged users all present ($users in the database)"
rm -rf "$DIR"
