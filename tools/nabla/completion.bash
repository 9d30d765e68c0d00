# bash completion for nabla: commands, each command's options, --format's formats, and file
# names (scripts *.nabla for running, *.json for --values). Installed as
# share/bash-completion/completions/nabla; works without the bash-completion package too
# (`source completion.bash`). tests/tools/completion_test.sh drives it.

_nabla_commands="grad jacobian hessian diff simplify check eval run serve help"
_nabla_formats="text unicode latex json cpp numpy torch"

# The options of a command ("" for running scripts), as `nabla COMMAND --help` lists them.
_nabla_options() {
  local common="--format --steps --seed --help"
  case "$1" in
    grad | jacobian | hessian | diff) echo "--wrt --let $common" ;;
    simplify | check) echo "--let $common" ;;
    eval) echo "--values --let $common" ;;
    serve) echo "--host --port --threads --workers --allow-origin --request-timeout --idle-timeout --help" ;;
    help) echo "" ;;
    *) echo "-e $common --version" ;;
  esac
}

# Files matching a glob pattern, and directories to descend into.
_nabla_files() {
  local cur=$1 pattern=$2 f
  compopt -o filenames 2>/dev/null
  while IFS= read -r f; do COMPREPLY+=("$f"); done < <(compgen -f -X "!$pattern" -- "$cur")
  while IFS= read -r f; do COMPREPLY+=("$f"); done < <(compgen -d -- "$cur")
}

_nabla() {
  COMPREPLY=()
  local cword=$COMP_CWORD
  local cur=${COMP_WORDS[cword]} prev=""
  [ "$cword" -gt 0 ] && prev=${COMP_WORDS[cword - 1]}
  # `--format=la`: bash splits at '=' (COMP_WORDBREAKS), so the option is two words back.
  if [ "$cur" = "=" ]; then
    prev=${COMP_WORDS[cword - 1]}
    cur=""
  elif [ "$prev" = "=" ] && [ "$cword" -gt 1 ]; then
    prev=${COMP_WORDS[cword - 2]}
  fi

  # The command is the first argument (as the program reads it), once the cursor is past it.
  local command="" w
  if [ "$cword" -gt 1 ]; then
    case " $_nabla_commands " in
      *" ${COMP_WORDS[1]} "*) command=${COMP_WORDS[1]} ;;
    esac
  fi
  [ "$command" = run ] && command=""

  case "$prev" in
    --format)
      while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -W "$_nabla_formats" -- "$cur")
      return 0 ;;
    --values)
      _nabla_files "$cur" "*.json"
      return 0 ;;
    --wrt | --let | --seed | -e | --host | --port | --threads | --workers | --allow-origin | \
      --request-timeout | --idle-timeout)
      return 0 ;;  # math or a number: nothing to suggest
  esac

  if [[ "$cur" == -* ]]; then
    while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -W "$(_nabla_options "$command")" -- "$cur")
    return 0
  fi
  if [ "$cword" -eq 1 ]; then
    while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -W "$_nabla_commands" -- "$cur")
  fi
  # Scripts to run (no math command) take file names; the math of a command is typed.
  if [ -z "$command" ]; then
    _nabla_files "$cur" "*.nabla"
  fi
  return 0
}

complete -F _nabla nabla
