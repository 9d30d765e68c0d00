#!/usr/bin/env bash
# The bash completion (tools/nabla/completion.bash): sourced in bash, _nabla called with
# COMP_WORDS/COMP_CWORD as bash would set them, the suggestions compared. Each command's options
# must be those its --help lists, so completion cannot drift from the program.
#   tests/tools/completion_test.sh NABLA_BINARY
set -uo pipefail
export LC_ALL=C
nabla=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=/dev/null
source "$root/tools/nabla/completion.bash"
failures=0
checks=0

# complete WORD... : the suggestions for the command line whose last word is being typed.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="${COMP_WORDS[*]}"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _nabla
  printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//'
}

expect() {  # expect "EXPECTED" WORD...
  local want=$1 got
  shift
  got=$(complete_words "$@")
  checks=$((checks + 1))
  if [ "$got" != "$want" ]; then
    echo "FAIL: '$*' completes to '$got', expected '$want'"
    failures=$((failures + 1))
  fi
}

registered=$(complete -p nabla 2>/dev/null)
checks=$((checks + 1))
[ "$registered" = "complete -F _nabla nabla" ] || { echo "FAIL: not registered: '$registered'"; failures=$((failures + 1)); }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/sheets"
touch "$scratch/a.nabla" "$scratch/b.nabla" "$scratch/notes.txt" "$scratch/v.json" "$scratch/sheets/c.nabla"
cd "$scratch" || exit 1

expect "grad" nabla gr
expect "check" nabla ch
expect "a.nabla" nabla a
expect "a.nabla b.nabla check diff eval grad help hessian jacobian run serve sheets simplify" nabla ""
expect "sheets/c.nabla" nabla sheets/
expect "a.nabla b.nabla sheets" nabla run ""
expect "cpp json latex numpy text torch unicode" nabla grad "x'*x" --format ""
expect "latex" nabla grad "x'*x" --format la
expect "json" nabla --format j
expect "cpp json latex numpy text torch unicode" nabla --format "=" ""
expect "unicode" nabla --format "=" u
expect "--format --help --let --seed --steps --wrt" nabla grad "x'*x" --
expect "--wrt" nabla jacobian "A*x" --w
expect "--format --help --let --seed --steps" nabla simplify x --
expect "--format --help --let --seed --steps" nabla check "a == a" --
expect "--format --help --let --seed --steps --values" nabla eval x --
expect "--values" nabla eval x --v
expect "--format --help --seed --steps --version -e" nabla -
expect "sheets v.json" nabla eval "x'*x" --values ""
expect "" nabla grad "x'*x" --wrt ""
expect "" nabla grad ""
expect "" nabla eval x --let ""

# Each command's options against the Options: section of its --help (CLI11 writes -h,--help).
help_options() {
  "$nabla" "$@" --help |
    awk '/^Options:/ { on = 1; next } on && /^$/ { on = 0 } on && /^  -/ { print $1 }' |
    tr ',' '\n' | grep -vx -- -h | sort -u | tr '\n' ' ' | sed 's/ $//'
}
for command in "" grad jacobian hessian diff simplify check eval serve; do
  if [ -z "$command" ]; then
    want=$(help_options)
    got=$(complete_words nabla -)
  else
    want=$(help_options "$command")
    got=$(complete_words nabla "$command" x -)
  fi
  checks=$((checks + 1))
  if [ -z "$want" ] || [ "$got" != "$want" ]; then
    echo "FAIL: completion offers '$got' for 'nabla $command', its --help lists '$want'"
    failures=$((failures + 1))
  fi
done

# Every command completed is one the program has (its own usage line); run is the script runner.
# ... and every command the program has (the list `nabla help` ends with) is completed.
have=$("$nabla" help | sed -n 's/.*commands: \(.*\)\.$/\1/p' | tr -d ',' | tr ' ' '\n' | sort | tr '\n' ' ')
want=$(echo "$_nabla_commands" | tr ' ' '\n' | grep -vx help | sort | tr '\n' ' ')
checks=$((checks + 1))
if [ -z "$have" ] || [ "$have" != "$want" ]; then
  echo "FAIL: completion offers the commands '$want', nabla help lists '$have'"
  failures=$((failures + 1))
fi
for command in $_nabla_commands; do
  [ "$command" = run ] && continue
  [ "$command" = help ] && continue
  checks=$((checks + 1))
  if ! "$nabla" "$command" --help | grep -q "^Usage: nabla $command "; then
    echo "FAIL: completion offers the command '$command', which nabla does not have"
    failures=$((failures + 1))
  fi
done

if [ "$failures" -gt 0 ]; then
  echo "$failures of $checks completion checks failed"
  exit 1
fi
echo "all $checks completion checks passed"
