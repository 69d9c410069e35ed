# shellcheck shell=bash
# flink-profiler: Profiling run state, so that any exit can take back what this run did.
# Sourced by bin/flink-profiler, which sets the constants and globals used here.

TEMP_FILES=()
RUN_FILES=()
# Files a failure must not remove: the results of a --keep-files run, already reported.
KEPT_FILES=()
# Set before `asprof start` (profile.sh), read when it fails (asprof.sh).
AGENT_OPTIONS_BYTES=0
declare -A CREATED=() CREATED_MTIME=()
SESSION_ACTIVE=0
SESSION_STARTED_MS=0
SLEEP_PID=''

abandon_run() {
  trap '' INT TERM HUP
  trap - ERR
  if [[ -n $SLEEP_PID ]]; then kill "$SLEEP_PID" 2>/dev/null || true; fi
  if ((SESSION_ACTIVE)); then
    SESSION_ACTIVE=0
    # Only our own session: if someone stopped ours and started theirs, theirs is not ours to end.
    # stop's report goes to asprof's stdout, not to the file, and is not wanted.
    local asked_at
    now_ms
    asked_at=$REPLY
    if session_may_be_ours "$("$ASPROF" status "$TARGET_PID" 2>/dev/null)" "$asked_at"; then
      "$ASPROF" stop "$TARGET_PID" > /dev/null 2>&1 || true
    fi
  fi
  local f
  for f in "${RUN_FILES[@]}" "${TEMP_FILES[@]}"; do rm -f -- "$f"; done
  RUN_FILES=() TEMP_FILES=()
  return 0
}

on_signal() {
  die "$EXIT_INTERRUPTED" interrupted "interrupted by SIG$1; the profile of pid ${TARGET_PID:-?} was stopped and its files removed" ""
}
