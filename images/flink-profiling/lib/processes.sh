# shellcheck shell=bash
# flink-profiler: Processes: finding the Flink JVM in /proc (its role, its user) and choosing the target.
# Sourced by bin/flink-profiler, which sets the constants and globals used here.

# Sets CMDLINE (array) for pid $1; fails for kernel threads and vanished processes.
read_cmdline() {
  CMDLINE=()
  [[ -r /proc/$1/cmdline ]] || return 1
  mapfile -d '' -t CMDLINE < "/proc/$1/cmdline" 2>/dev/null || return 1
  ((${#CMDLINE[@]} > 0))
}

# Whether pid $1 is a JVM (libjvm.so mapped). Fails with UNINSPECTED=1 when this user may not read the
# process's memory map (another user's process, for a non-root helper), else UNINSPECTED=0.
is_jvm() {
  local maps=() exe readable=0
  UNINSPECTED=0
  # A redirection that fails is not fatal for mapfile (unlike `$(< file)`, which ends a `set -e` script).
  { mapfile -t maps < "/proc/$1/maps"; } 2>/dev/null && readable=1
  if ((${#maps[@]})); then
    [[ ${maps[*]} == *libjvm.so* ]]
    return
  fi
  if exe=$(readlink "/proc/$1/exe" 2>/dev/null); then
    [[ ${exe##*/} == java ]]
    return
  fi
  if ((!readable)) && proc_uid "$1" 2>/dev/null && [[ $REPLY != "$EUID" ]]; then UNINSPECTED=1; fi
  return 1
}

# Sets ROLE and MAIN_CLASS from CMDLINE.
classify_cmdline() {
  local a
  ROLE=jvm MAIN_CLASS=''
  for a in "${CMDLINE[@]:1}"; do
    if in_list "$a" "${TM_CLASSES[@]}"; then ROLE=taskmanager MAIN_CLASS=$a && return; fi
    if in_list "$a" "${JM_CLASSES[@]}"; then ROLE=jobmanager MAIN_CLASS=$a && return; fi
  done
  local skip=0
  for a in "${CMDLINE[@]:1}"; do
    if ((skip)); then skip=0 && continue; fi
    case $a in
      -cp | -classpath | --class-path | -p | --module-path | --add-modules) skip=1 ;;
      -jar) skip=0 ;;
      -*) ;;
      *) MAIN_CLASS=$a && return ;;
    esac
  done
}

proc_uid() { # pid -> effective uid in REPLY
  local key eff rest
  REPLY=''
  while read -r key _ eff rest; do
    [[ $key == Uid: ]] && REPLY=$eff && return 0
  done < "/proc/$1/status"
  return 1
}

proc_gids() { # pid -> "gid gid ..." in REPLY (effective gid and supplementary groups)
  local key a b rest gids=''
  while read -r key a b rest; do
    case $key in
      Gid:) gids+=" $b" ;;
      Groups:) gids+=" $a $b $rest" ;;
    esac
  done < "/proc/$1/status"
  REPLY=$gids
}

# Lists JVM processes as "pid role mainClass" lines in JVMS (array), and in UNINSPECTED_JVMS the
# candidates this user may not inspect, as "pid (role, uid U)".
scan_jvms() {
  local d pid
  JVMS=() UNINSPECTED_JVMS=()
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    read_cmdline "$pid" || continue
    classify_cmdline
    # Reading every process's maps is slow; only java launchers and Flink command lines qualify.
    [[ $ROLE != jvm || ${CMDLINE[0]##*/} == java ]] || continue
    if ! is_jvm "$pid"; then
      if ((UNINSPECTED)); then
        proc_uid "$pid" 2>/dev/null || REPLY='?'
        UNINSPECTED_JVMS+=("$pid ($ROLE, uid $REPLY)")
      fi
      continue
    fi
    JVMS+=("$pid $ROLE ${MAIN_CLASS:-?}")
  done
}

# The sentence that names the processes scan_jvms could not inspect, in REPLY ('' when none).
uninspected_sentence() {
  REPLY=''
  ((${#UNINSPECTED_JVMS[@]})) || return 0
  REPLY="${#UNINSPECTED_JVMS[@]} java process(es) of other users could not be inspected (uid $(id -u) may not read their memory maps): $(join_by '; ' "${UNINSPECTED_JVMS[@]}")"
}

# Sets TARGET_PID and TARGET_ROLE from PID_OPT / $FLINK_PROFILER_PID / a scan for ROLE_OPT.
check_role() {
  in_list "$ROLE_OPT" "${ROLES[@]}" || bad_input "role must be one of ${ROLES[*]}, got '$ROLE_OPT'"
}

# Checks --pid / $FLINK_PROFILER_PID with the other options, before anything runs; TARGET_PID_OPT is it.
check_pid() {
  TARGET_PID_OPT=${PID_OPT:-${FLINK_PROFILER_PID:-}}
  [[ -z $TARGET_PID_OPT ]] && return 0
  decimal_in "$TARGET_PID_OPT" 1 "$MAX_PID" || bad_input "pid must be a whole number from 1 to $MAX_PID, got '$TARGET_PID_OPT'"
  TARGET_PID_OPT=$REPLY
}

resolve_target() {
  check_pid
  local pid=$TARGET_PID_OPT
  if [[ -n $pid ]]; then
    [[ -d /proc/$pid ]] || die "$EXIT_TARGET" no-such-process "no process with pid $pid" \
      "check the pid with: flink-profiler list"
    read_cmdline "$pid" || die "$EXIT_TARGET" not-a-jvm "pid $pid has no command line (a kernel thread or gone)" \
      "pass the pid of the Flink JVM; flink-profiler list shows them"
    if ! is_jvm "$pid"; then
      if ((UNINSPECTED)); then
        proc_uid "$pid" 2>/dev/null || REPLY='?'
        die "$EXIT_TARGET" wrong-user "pid $pid (${CMDLINE[0]##*/}) belongs to uid $REPLY, whose processes uid $(id -u) may not inspect or attach to" \
          "run flink-profiler as the JVM's user (uid $REPLY) or as root"
      fi
      die "$EXIT_TARGET" not-a-jvm "pid $pid (${CMDLINE[0]##*/}) is not a Java virtual machine" \
        "pass the pid of the Flink JVM; flink-profiler list shows them"
    fi
    classify_cmdline
    TARGET_PID=$pid TARGET_ROLE=$ROLE
    return
  fi

  scan_jvms
  local line matches=() others=() p r c
  for line in "${JVMS[@]}"; do
    read -r p r c <<< "$line"
    if [[ $r != jvm ]] && { [[ $ROLE_OPT == any ]] || [[ $r == "$ROLE_OPT" ]]; }; then
      matches+=("$p ($r, $c)")
      TARGET_PID=$p TARGET_ROLE=$r
    else
      others+=("$p ($r, $c)")
    fi
  done
  if ((${#matches[@]} == 0)); then
    local seen=none hint="run this inside the Flink container, or pass --pid / FLINK_PROFILER_PID"
    ((${#others[@]})) && seen=$(join_by '; ' "${others[@]}")
    uninspected_sentence
    [[ -z $REPLY ]] || hint="run flink-profiler as the JVM's user or as root; or $hint"
    die "$EXIT_TARGET" no-flink-jvm "no Flink $ROLE_OPT JVM found in /proc; JVMs seen: $seen${REPLY:+; $REPLY}" "$hint"
  fi
  if ((${#matches[@]} > 1)); then
    die "$EXIT_TARGET" several-flink-jvms "${#matches[@]} Flink $ROLE_OPT JVMs found: $(join_by '; ' "${matches[@]}")" \
      "choose one with --pid"
  fi
}

join_by() {
  local sep=$1 out=$2
  shift 2
  local x
  for x in "$@"; do out+="$sep$x"; done
  printf '%s' "$out"
}
