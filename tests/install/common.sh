# Shared helpers of the install tests (sourced, not run).
# shellcheck shell=bash

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this file
CONSUMER_SRC=$REPO/tests/install/consumer
T_NAME=$(basename "$0" .sh)

log() { printf '%s: %s\n' "$T_NAME" "$*"; }
die() {
  printf '%s: FAIL: %s\n' "$T_NAME" "$*" >&2
  exit 1
}
# run DESCRIPTION COMMAND...: run a step, show its output only on failure.
run() {
  local what=$1 out
  shift
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    die "$what: '$*' failed"
  fi
  [ -z "${VERBOSE:-}" ] || printf '%s\n' "$out"
  log "ok: $what"
}
# expect_consumer_ok DESCRIPTION COMMAND...: the command must print "consumer: ok".
expect_consumer_ok() {
  local what=$1 out
  shift
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    die "$what: '$*' exited non-zero"
  fi
  printf '%s\n' "$out" | grep -q '^consumer: ok' ||
    { printf '%s\n' "$out" >&2; die "$what: no 'consumer: ok' line"; }
  log "ok: $what ($(printf '%s\n' "$out" | sed -n 's/^consumer: cert sha256 //p' | cut -c1-16)...)"
}

# expect_session_ok DESCRIPTION SECIP_PROGRAM CONSUMER: start
# `SECIP_PROGRAM serve --once` on an ephemeral loopback port, then run
# CONSUMER 127.0.0.1 PORT FINGERPRINT, which must complete a verified
# (pinned) session and print "consumer: ok".  Bounded: the server must
# announce itself within 30 s and exit within 30 s after the session.
expect_session_ok() {
  local what=$1 secip=$2 consumer=$3 out line port fp pid i
  out=$(mktemp)
  "$secip" serve --listen 127.0.0.1:0 --once >"$out" 2>&1 &
  pid=$!
  for i in $(seq 1 300); do
    line=$(head -n 1 "$out" | tr -d '\r') # Windows programs end lines in CRLF
    case $line in listening*) break ;; esac
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  case $line in listening*) ;; *)
    kill "$pid" 2>/dev/null || true
    cat "$out" >&2
    rm -f "$out"
    die "$what: secip serve did not start"
    ;;
  esac
  port=$(printf '%s\n' "$line" | sed -E 's/^listening on .*:([0-9]+) .*/\1/')
  fp=$(printf '%s\n' "$line" | awk '{print $NF}')
  expect_consumer_ok "$what" "$consumer" 127.0.0.1 "$port" "$fp"
  for i in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    rm -f "$out"
    die "$what: secip serve --once did not exit after the session"
  fi
  wait "$pid" || { cat "$out" >&2; rm -f "$out"; die "$what: secip serve failed"; }
  grep -q '^TEXT hello from an installed consumer' "$out" ||
    { cat "$out" >&2; rm -f "$out"; die "$what: the server did not see the message"; }
  rm -f "$out"
  log "ok: $what: verified session against secip serve"
}
