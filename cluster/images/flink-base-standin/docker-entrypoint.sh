#!/usr/bin/env bash
# Entrypoint of the STAND-IN for the official Flink image (see README.md beside this file).
#
# Same contract as the official 2.x entrypoint: `jobmanager`, `taskmanager`, `help`, or any other command
# (run as given); jemalloc preloaded unless DISABLE_JEMALLOC=true; JOB_MANAGER_RPC_ADDRESS,
# TASK_MANAGER_NUMBER_OF_TASK_SLOTS and FLINK_PROPERTIES written into /opt/flink/conf/config.yaml; extra
# arguments (`-Dkey=value`) reach Flink as dynamic properties. flink-dist (bin/*.sh and flink-dist.jar)
# is not available here, so what its jobmanager.sh, taskmanager.sh, config.sh and flink-console.sh do is
# done below, with the same Java helper they call (flink-runtime's BashJavaUtils):
#   - read the configuration flattened (UPDATE_AND_GET_FLINK_CONFIGURATION -flatten) for env.java.*;
#   - derive -Xmx/-Xms/-XX:MaxDirectMemorySize/-XX:MaxMetaspaceSize and the memory dynamic properties
#     from the configured process size (GET_TM_RESOURCE_PARAMS / GET_JM_RESOURCE_PARAMS), so the JVM
#     stays inside the container's memory limit exactly as with the official image;
#   - exec the JVM with the main class, so it replaces this script (PID 1 when this is the entrypoint).
# Unlike the official 2.x script (which warns and goes on), a start as root drops to flink (uid 9999)
# first, like the 1.x images did with gosu: the JVM always runs as flink.
set -euo pipefail

FLINK_HOME="${FLINK_HOME:-/opt/flink}"
CONF_DIR="${FLINK_CONF_DIR:-$FLINK_HOME/conf}"
LOG_DIR="${FLINK_LOG_DIR:-$FLINK_HOME/log}"
JAVA_RUN="${JAVA_HOME:+$JAVA_HOME/bin/}java"
RESULT_PREFIX="BASH_JAVA_UTILS_EXEC_RESULT:"

if [ "$(id -u)" = 0 ]; then
  # setpriv (util-linux) plays the part of gosu; HOME as the official image's flink user has it.
  exec setpriv --reuid=9999 --regid=9999 --init-groups env HOME="$FLINK_HOME" "$0" "$@"
fi

# The classpath: every jar in lib/, in name order (flink-dist.jar, last in the official order, is absent).
classpath() {
  local jars=("$FLINK_HOME"/lib/*.jar) IFS=:
  echo "${jars[*]}"
}

# bash_java_utils COMMAND ARGS... -> the helper's result lines, without their prefix. Like config.sh,
# a helper failure stops the start and shows the helper's output.
bash_java_utils() {
  local out
  if ! out="$("$JAVA_RUN" -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$(classpath)" \
      org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$CONF_DIR" "${@:2}" 2>&1)"; then
    printf '[ERROR] BashJavaUtils %s failed:\n%s\n' "$1" "$out" >&2
    exit 1
  fi
  grep "^$RESULT_PREFIX" <<<"$out" | sed "s/^$RESULT_PREFIX//" || true
}

# The official entrypoint writes these into config.yaml. When the conf directory is read-only (a
# ConfigMap volume, as in Flink's Kubernetes docs and this project's manifests) its write fails and the
# file is used as it is; here that case is detected up front instead of printing the failed write.
prepare_configuration() {
  if [ ! -w "$CONF_DIR" ] || [ ! -w "$CONF_DIR/config.yaml" ]; then
    echo "Note: $CONF_DIR is read-only; using its config.yaml as it is (as the official image ends up doing)."
    return 0
  fi
  local params=() line key value
  params+=("-Djobmanager.rpc.address=${JOB_MANAGER_RPC_ADDRESS:-$(hostname -f 2>/dev/null || hostname)}")
  params+=("-Dblob.server.port=6124" "-Dquery.server.port=6125")
  if [ -n "${TASK_MANAGER_NUMBER_OF_TASK_SLOTS:-}" ]; then
    params+=("-Dtaskmanager.numberOfTaskSlots=$TASK_MANAGER_NUMBER_OF_TASK_SLOTS")
  fi
  # FLINK_PROPERTIES: one `key: value` per line; like the official script, whitespace is removed and
  # environment variables in the value are expanded (envsubst).
  while IFS= read -r line; do
    line="$(tr -d '[:space:]' <<<"$line")"
    [ -n "$line" ] || continue
    IFS=: read -r key value <<<"$line"
    params+=("-D$key=$(envsubst <<<"$value")")
  done <<<"${FLINK_PROPERTIES:-}"
  local updated
  updated="$(bash_java_utils UPDATE_AND_GET_FLINK_CONFIGURATION "${params[@]}")"
  printf '%s\n' "$updated" > "$CONF_DIR/config.yaml"
}

maybe_enable_jemalloc() {
  if [ "${DISABLE_JEMALLOC:-false}" = false ]; then
    local lib
    lib="/usr/lib/$(uname -m)-linux-gnu/libjemalloc.so"
    if [ -f "$lib" ]; then
      export LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD:}$lib"
    else
      echo "WARNING: attempted to load jemalloc from $lib but the library couldn't be found. glibc will be used instead."
    fi
  fi
}

# read_config KEY FLAT_CONFIG -> the value, without surrounding quotes (config.sh's readFromConfig).
read_config() {
  awk -v key="$1" 'index($0, key ":") == 1 { v = substr($0, length(key) + 2) } END {
    sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v); gsub(/^"|"$/, "", v); print v }' <<<"$2"
}

# start ROLE ARGS...: ROLE is jobmanager or taskmanager; ARGS are passed on to Flink (dynamic properties).
start() {
  local role="$1" flat main service resources jvm_params dynamic java_opts role_opts
  shift
  flat="$(bash_java_utils UPDATE_AND_GET_FLINK_CONFIGURATION -flatten)"
  # config.sh: default options first, then the user's; env.java.opts is the old name of .all.
  java_opts="$(read_config env.java.default-opts.all "$flat") $(read_config env.java.opts.all "$flat")"
  [ -n "${java_opts// /}" ] || java_opts="$(read_config env.java.opts "$flat")"
  role_opts="$(read_config "env.java.default-opts.$role" "$flat") $(read_config "env.java.opts.$role" "$flat")"
  if [ "$role" = jobmanager ]; then
    main=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
    service=standalonesession
    resources="$(bash_java_utils GET_JM_RESOURCE_PARAMS "$@")"
  else
    main=org.apache.flink.runtime.taskexecutor.TaskManagerRunner
    service=taskexecutor
    # taskmanager.sh: G1 unless the configuration sets JVM options of its own.
    if [ -z "${java_opts// /}${role_opts// /}" ]; then JVM_ARGS="${JVM_ARGS:-} -XX:+UseG1GC"; fi
    resources="$(bash_java_utils GET_TM_RESOURCE_PARAMS "$@")"
  fi
  # Two result lines: the JVM memory flags, then the derived memory sizes as `-D key=value` pairs.
  [ "$(wc -l <<<"$resources")" -eq 2 ] || { printf '[ERROR] unexpected resource parameters:\n%s\n' "$resources" >&2; exit 1; }
  jvm_params="$(head -n 1 <<<"$resources")"
  dynamic="$(tail -n 1 <<<"$resources")"
  mkdir -p "$LOG_DIR"
  echo "Starting $service as a console application on host $(hostname)."
  # Word splitting of the option strings is intended: the scripts pass them unquoted as well.
  # shellcheck disable=SC2086
  exec "$JAVA_RUN" ${JVM_ARGS:-} $jvm_params -XX:+IgnoreUnrecognizedVMOptions $java_opts $role_opts \
    "-Dlog.file=$LOG_DIR/flink-$(id -un)-$service-0-$(hostname).log" \
    "-Dlog4j.configuration=file:$CONF_DIR/log4j-console.properties" \
    "-Dlog4j.configurationFile=file:$CONF_DIR/log4j-console.properties" \
    "-Dlogback.configurationFile=file:$CONF_DIR/logback-console.xml" \
    -classpath "$(classpath)" "$main" --configDir "$CONF_DIR" $dynamic "$@"
}

case "${1:-help}" in
  help)
    echo "Usage: $(basename "$0") (jobmanager|taskmanager) [-Dkey=value ...]"
    echo "    Or $(basename "$0") help, or any command to run it in this image."
    echo "This is the local STAND-IN for the official Flink image: Debian's JRE 17 and Flink's jars."
    echo "By default, jemalloc is the memory allocator; set DISABLE_JEMALLOC=true to use glibc's."
    exit 0 ;;
  jobmanager|taskmanager)
    role="$1"
    shift
    maybe_enable_jemalloc
    prepare_configuration
    echo "Starting $( [ "$role" = jobmanager ] && echo "Job" || echo "Task") Manager"
    start "$role" "$@" ;;
  standalone-job|history-server)
    echo "'$1' needs classes this stand-in does not have (flink-dist, flink-runtime-web)." >&2
    exit 1 ;;
  *)
    maybe_enable_jemalloc
    exec "$@" ;;
esac
