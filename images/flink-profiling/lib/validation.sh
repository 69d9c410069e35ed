# shellcheck shell=bash
# flink-profiler: Validation of user values. Pure: these functions only look at their arguments.
# Sourced by bin/flink-profiler, which sets the constants and globals used here.

in_list() { # value item...
  local v=$1 x
  shift
  for x in "$@"; do [[ $v == "$x" ]] && return 0; done
  return 1
}

# Numbers are decimal everywhere, as in profile.mjs (profile-options.ts): digits only, leading zeros
# allowed and read as decimal (010 is 10, never octal 8; 09 is 9). Sets REPLY to the number without
# leading zeros, which is what reaches asprof.
decimal_in() { # value min max
  local v=$1
  [[ $v =~ ^[0-9]+$ ]] || return 1
  v=${v#"${v%%[!0]*}"}
  v=${v:-0}
  ((${#v} <= 15 && 10#$v >= $2 && 10#$v <= $3)) || return 1
  REPLY=$v
}

valid_seconds() { decimal_in "$1" 1 "$2"; }

# A sampling interval: a decimal number from 1 with an optional unit; REPLY is it without leading zeros.
valid_interval() {
  [[ $1 =~ ^([0-9]+)(ms|us|ns|s)?$ ]] || return 1
  local unit=${BASH_REMATCH[2]}
  decimal_in "${BASH_REMATCH[1]}" 1 "$MAX_INTERVAL_NUMBER" || return 1
  REPLY+=$unit
}

valid_name() { [[ $1 =~ ^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$ ]]; }

# asprof hands options to the agent as one comma-separated string: a comma inside a value would
# let it set agent options of its own choosing (say, file=...), so values may not contain one.
agent_safe() { [[ -n $1 && $1 != *,* && $1 != *[[:cntrl:]]* ]]; }

# The asprof options that may pass through after `--` (contract.json's passthrough): only ones that
# shape what is sampled or how it is drawn. Anything else is refused: asprof takes the last action word it sees (inspectheap, dumpheap,
# jcmd, load ...) and options such as --libpath or --fdtransfer would change what runs in the JVM.
# Options the helper sets itself (-e -d -f -o -i -I -X -t --timeout --loop) would fight it, and
# --reverse/--inverted would turn the stacks the top-frames report reads upside down.
# Sets REPLY to 1 for an option that takes a value, 0 for a flag; fails for anything not allowed.
passthrough_option() {
  if in_list "$1" "${PASSTHROUGH_FLAGS[@]}"; then
    REPLY=0
  elif in_list "$1" "${PASSTHROUGH_WITH_VALUE[@]}"; then
    REPLY=1
  else
    return 1
  fi
}
