# tests/ca/cli_env.sh -- sourced (". FILE") by the CA command-line tests,
# with the script's own arguments SECIP_CA SECIP WORKDIR [LAUNCHER...] and
# SCRATCH set to a name: makes CA and SECIP absolute, enters WORKDIR, sets
# L to the launcher words (the Wine loader for the Windows build; they must
# not contain spaces) and DIR to a fresh scratch directory in WORKDIR.
abs() { case "$1" in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }
CA=$(abs "$1")
SECIP=$(abs "$2")
cd "$3"
shift 3
L="$*"
DIR="$SCRATCH-$$" # relative: the same path text works under Wine
rm -rf "$DIR"
mkdir -p "$DIR"
