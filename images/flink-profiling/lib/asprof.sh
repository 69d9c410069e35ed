# shellcheck shell=bash
# flink-profiler: asprof: running it, turning its failures into errors, and asking whether a session runs.
# Sourced by bin/flink-profiler, which sets the constants and globals used here.

require_asprof() {
  if [[ ! -f $ASPROF || ! -x $ASPROF ]]; then
    die "$EXIT_PROFILER" asprof-missing "async-profiler not found: $ASPROF is missing or not executable" \
      "set ASYNC_PROFILER_HOME to an async-profiler release directory (bin/asprof, lib/libasyncProfiler.so), or use the flink-profiling image"
  fi
}

# Milliseconds since the epoch in REPLY, without starting a process (bash 5's EPOCHREALTIME; `date` before).
# A run reads the clock a few times a second: each `date` is a fork, and forks are what a busy node lacks.
now_ms() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    local t=${EPOCHREALTIME/[.,]/}
    REPLY=$((10#${t:0:${#t}-3}))
  else
    REPLY=$(date +%s%3N)
  fi
}

# The time now in UTC, as strftime FORMAT says, in REPLY; bash's own printf, no process started.
utc_now() { # format
  TZ=UTC0 printf -v REPLY "%($1)T" -1
}

# Sleeps in the background and waits, so a signal's trap runs at once instead of after the sleep.
nap_ms() { # milliseconds
  sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" &
  SLEEP_PID=$!
  wait "$SLEEP_PID" || true
  SLEEP_PID=''
}

# Runs asprof, keeping its chatter off stdout: output in ASPROF_OUT, exit status in ASPROF_RC.
run_asprof() {
  ASPROF_RC=0
  ASPROF_OUT=$("$ASPROF" "$@" 2>&1) || ASPROF_RC=$?
  if ((ASPROF_RC != 0)) && [[ -n $ASPROF_OUT ]]; then printf 'asprof %s: %s\n' "$1" "$ASPROF_OUT" >&2; fi
  return 0
}

# Turns a failed asprof call into an error event and exit.
asprof_failed() { # what
  local what=$1 out=$ASPROF_OUT first line uid=''
  first=''
  while IFS= read -r line; do
    [[ -z $first && -n $line ]] && first=$line
    [[ $line == '[ERROR]'* ]] && first=${line#'[ERROR] '} && break
  done <<< "$out"
  proc_uid "$TARGET_PID" 2>/dev/null && uid=$REPLY
  case $out in
    *'Failed to change credentials'*)
      die "$EXIT_TARGET" wrong-user "cannot attach to pid $TARGET_PID: $first" \
        "run flink-profiler as the JVM's user (uid ${uid:-?}), e.g. kubectl exec as that user, or as root" ;;
    *'Could not start attach mechanism'* | *'Could not connect'* | *'attach'*'fail'*)
      die "$EXIT_TARGET" attach-failed "cannot attach to pid $TARGET_PID: $first" \
        "the JVM may run with -XX:+DisableAttachMechanism, its /tmp may have been cleaned or differ from this one, or it cannot reach a safepoint" ;;
    *'Could not open'*)
      die "$EXIT_TARGET" output-not-writable "the JVM could not open its output file in $OUTPUT_DIR: $first" \
        "make $OUTPUT_DIR writable by the JVM's user (uid ${uid:-?}) or choose another --output-dir" ;;
    *'failed to load'* | *'Could not load'*)
      die "$EXIT_TARGET" agent-load-failed "pid $TARGET_PID could not load $ASPROF_HOME/lib/libasyncProfiler.so: $first" \
        "the JVM's user must be able to read the library at the same absolute path inside the JVM's container" ;;
    *'Begin address not found'* | *'End address not found'*)
      die "$EXIT_BAD_INPUT" bad-input "pid $TARGET_PID: async-profiler found no native symbol of the --begin/--end name: $first" \
        "name a native function the JVM has loaded (as in asprof's own examples, e.g. SafepointSynchronize::begin), or drop --begin/--end" ;;
    *'Unexpected EOF reading response'*)
      # The JVM's attach listener takes at most 1024 bytes per argument, and asprof sends every agent
      # option (the output path, patterns, extra options) in one: a longer one ends the connection.
      if ((AGENT_OPTIONS_BYTES > 700)); then
        die "$EXIT_BAD_INPUT" bad-input "the options for async-profiler's agent take about $AGENT_OPTIONS_BYTES bytes, more than the JVM's attach request can carry (1024 bytes with asprof's own)" \
          "use fewer or shorter --include/--exclude patterns and extra options, or a shorter output directory path"
      fi ;;
    *'not found'*)
      die "$EXIT_TARGET" no-such-process "pid $TARGET_PID: $first" "check the pid with: flink-profiler list" ;;
    *'already started'*)
      session_status
      die "$EXIT_RUNNING" already-running "pid $TARGET_PID is already being profiled (running for ${ACTIVE_SECONDS:-?} seconds)" \
        "wait for that profile to end or run: flink-profiler stop --pid $TARGET_PID" ;;
  esac
  local reason="async-profiler failed"
  case $ASPROF_RC in
    100) reason="async-profiler rejected the arguments" ;;
    200) reason="the profiler agent in the JVM failed" ;;
  esac
  die "$EXIT_PROFILER" profiler-failed "$reason ($what, exit $ASPROF_RC): ${first:-no output}" \
    "see the asprof output on stderr"
}

# Sets ACTIVE_SECONDS to the running session's age, or to '' when idle.
session_status() {
  now_ms
  STATUS_ASKED_MS=$REPLY
  run_asprof status "$TARGET_PID"
  ((ASPROF_RC == 0)) || asprof_failed status
  ACTIVE_SECONDS=''
  if [[ $ASPROF_OUT =~ Profiling\ is\ running\ for\ ([0-9]+)\ seconds ]]; then
    ACTIVE_SECONDS=${BASH_REMATCH[1]}
  elif [[ $ASPROF_OUT != *'not active'* ]]; then
    die "$EXIT_PROFILER" profiler-failed "unexpected asprof status output for pid $TARGET_PID: $ASPROF_OUT" \
      "check that $ASPROF is async-profiler 4.x"
  fi
}

# Whether the session in asprof's status output ($1, asked at $2 ms) can be the one this run started.
# asprof cannot say whose session runs, but one begun after ours ended or was stopped is younger: a
# helper left behind (its Job killed, its exec dropped) must not end or dump the next person's profile.
# asprof counts whole seconds since a start it took with time(), so our session, which began before
# SESSION_STARTED_MS, shows at least floor((asked - SESSION_STARTED_MS) / 1000) seconds; a session begun
# two seconds or more after that shows fewer.
# How often a run checks that its session still runs (each check is one attach to the JVM).
readonly SESSION_CHECK_MS=5000
session_may_be_ours() { # status-output asked-at-ms
  [[ $1 =~ Profiling\ is\ running\ for\ ([0-9]+)\ seconds ]] || return 1
  # Interrupted while `asprof start` ran: what runs now is the session it was starting.
  ((SESSION_STARTED_MS > 0)) || return 0
  ((BASH_REMATCH[1] >= ($2 - SESSION_STARTED_MS) / 1000))
}
