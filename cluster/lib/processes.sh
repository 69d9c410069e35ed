# shellcheck shell=bash
# Sourced by cluster/up.sh and cluster/down.sh: the cluster's daemons, started in their own session and
# stopped by the pid each one wrote, never by name, so nothing else on the machine is touched.

# daemon_start NAME BINARY ARG...: runs in the background, output in logs/NAME.log, pid in run/NAME.pid.
daemon_start() {
  local name=$1
  shift
  mkdir -p "$FP_STATE/logs" "$FP_STATE/run"
  setsid "$@" >"$FP_STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$FP_STATE/run/$name.pid"
}

# daemon_pid NAME: the pid, if that process still runs the binary it was started with.
daemon_pid() {
  local file=$FP_STATE/run/$1.pid pid
  [[ -f "$file" ]] || return 1
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ && -d /proc/$pid ]] || return 1
  # A recycled pid belongs to some other program: its command line does not name our state or cache.
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qE "$FP_STATE|$FP_CACHE|flink-profiling" || return 1
  echo "$pid"
}

# daemon_stop NAME [SECONDS]: TERM, then KILL after SECONDS (default 10); removes the pid file.
daemon_stop() {
  local name=$1 grace=${2:-10} pid i
  if pid=$(daemon_pid "$name"); then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
      [[ -d /proc/$pid ]] || break
      sleep 0.1
    done
    if [[ -d /proc/$pid ]]; then
      progress "$name did not stop within ${grace}s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$FP_STATE/run/$name.pid"
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every half second; on timeout shows the log tail.
wait_until() {
  local seconds=$1 what=$2 i
  shift 2
  for ((i = 0; i < seconds * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "$what did not come up within ${seconds}s; see $FP_STATE/logs/"
}
