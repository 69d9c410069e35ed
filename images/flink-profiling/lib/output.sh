# shellcheck shell=bash
# flink-profiler: Output: JSON lines on stdout (json_str, emit, errors and notices), die, usage.
# Sourced by bin/flink-profiler, which sets the constants and globals used here.

emit() { printf '%s\n' "$1"; }

# JSON string literal of $1, in REPLY (no subshell: it is called for every event).
json_str() {
  local s=$1 out='' c i
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/\\t}
  s=${s//$'\r'/\\r}
  if [[ $s == *[[:cntrl:]]* ]]; then
    for ((i = 0; i < ${#s}; i++)); do
      c=${s:i:1}
      [[ $c == [[:cntrl:]] ]] && printf -v c '\\u%04x' "'$c"
      out+=$c
    done
    s=$out
  fi
  REPLY="\"$s\""
}

emit_error() { # code message hint
  local code message hint
  json_str "$1"; code=$REPLY
  json_str "$2"; message=$REPLY
  json_str "${3:-}"; hint=$REPLY
  emit "{\"type\":\"error\",\"code\":$code,\"message\":$message,\"hint\":$hint}"
}

emit_notice() { # code message hint
  local code message hint
  json_str "$1"; code=$REPLY
  json_str "$2"; message=$REPLY
  json_str "${3:-}"; hint=$REPLY
  emit "{\"type\":\"notice\",\"code\":$code,\"message\":$message,\"hint\":$hint}"
}

die() { # exit-status code message hint
  local status=$1
  shift
  abandon_run
  # A reader that went away (SIGPIPE) cannot take the error; the exit status still says what happened.
  emit_error "$@" 2>/dev/null || true
  exit "$status"
}

bad_input() { die "$EXIT_BAD_INPUT" bad-input "$1" "${2:-run flink-profiler --help for usage}"; }

usage() {
  cat >&2 <<'USAGE'
usage: flink-profiler [profile] [options] [-- extra asprof args]
       flink-profiler status [--pid N] [--role R]
       flink-profiler stop   [--pid N] [--role R]
       flink-profiler list
       flink-profiler encode FILE...
       flink-profiler rest --rest-url http://HOST[:PORT] [--job ID] [--timeout S]

options: --pid N, --role taskmanager|jobmanager|any, -d/--duration S (1..3600),
         -e/--event cpu|alloc|lock|wall|itimer|ctimer, -i/--interval N[ms|us|ns|s], -t/--threads,
         -I/--include P, -X/--exclude P, -f/--format html,collapsed,jfr, -o/--output-dir D,
         --name BASE, --emit-records, --keep-files, --max-records-size BYTES, --progress-every S
Output: JSON lines on stdout. See README.md for the full contract.
USAGE
}
