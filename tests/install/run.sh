#!/usr/bin/env bash
# Run every install test against the packages in build/package (made by
# scripts/package.sh) and a native build installed into a temporary prefix.
#
#   tests/install/run.sh [linux|windows|all]     (default: all)
#
# Linux: test-prefix.sh, then test-deb.sh (root).  Windows: test-windows.sh
# (Wine; SECIP_WINE_PREFIX selects the prefix).  Stops at the first failure.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WHAT=${1:-all}
case $WHAT in linux | windows | all) ;; *)
  echo "usage: $0 [linux|windows|all]" >&2
  exit 2
  ;;
esac
if [ "$WHAT" != windows ]; then
  "$HERE/test-prefix.sh" "$REPO/build/install-test-prefix"
  "$HERE/test-deb.sh" "$REPO/build/package"
fi
if [ "$WHAT" != linux ]; then
  "$HERE/test-windows.sh" "$REPO/build/package"
fi
echo "tests/install/run.sh: all install tests passed ($WHAT)"
