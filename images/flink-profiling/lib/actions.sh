# shellcheck shell=bash
# flink-profiler: The status, stop and list actions.
# Sourced by bin/flink-profiler, which sets the constants and globals used here.

parse_target_opts() {
  while (($#)); do
    case $1 in
      -h | --help) usage && exit 0 ;;
    esac
    (($# >= 2)) || bad_input "option $1 needs a value"
    case $1 in
      --pid) PID_OPT=$2 ;;
      --role) ROLE_OPT=$2 ;;
      *) bad_input "unknown option for $ACTION: $1" ;;
    esac
    shift 2
  done
  check_role
  check_pid
}

cmd_status() {
  parse_target_opts "$@"
  require_asprof
  resolve_target
  session_status
  local active=false seconds=null
  [[ -n $ACTIVE_SECONDS ]] && active=true seconds=$ACTIVE_SECONDS
  emit "{\"type\":\"status\",\"pid\":$TARGET_PID,\"role\":\"$TARGET_ROLE\",\"active\":$active,\"seconds\":$seconds}"
}

cmd_stop() {
  parse_target_opts "$@"
  require_asprof
  resolve_target
  session_status
  local was=false
  if [[ -n $ACTIVE_SECONDS ]]; then
    was=true
    ASPROF_RC=0
    "$ASPROF" stop "$TARGET_PID" > /dev/null 2>&1 || ASPROF_RC=$?
    ((ASPROF_RC == 0)) || { ASPROF_OUT=''; asprof_failed stop; }
  fi
  emit "{\"type\":\"stopped\",\"pid\":$TARGET_PID,\"role\":\"$TARGET_ROLE\",\"wasActive\":$was}"
}

cmd_list() {
  (($# == 0)) || bad_input "list takes no arguments"
  scan_jvms
  local line p r c uid
  for line in "${JVMS[@]}"; do
    read -r p r c <<< "$line"
    proc_uid "$p" 2>/dev/null || REPLY=null
    uid=$REPLY
    json_str "$c"
    emit "{\"type\":\"jvm\",\"pid\":$p,\"role\":\"$r\",\"mainClass\":$REPLY,\"uid\":$uid}"
  done
  uninspected_sentence
  [[ -z $REPLY ]] || emit_notice not-inspected "$REPLY" "run flink-profiler as root, or as a process's own user, to see it"
}
