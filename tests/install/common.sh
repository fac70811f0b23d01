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
