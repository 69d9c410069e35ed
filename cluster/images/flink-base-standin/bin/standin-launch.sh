# shellcheck shell=bash
# Sourced by the STAND-IN image's start scripts (/docker-entrypoint.sh, bin/kubernetes-*.sh): what
# flink-dist's config.sh and flink-console.sh do, which are not on Maven Central (see ../README.md).
# It uses the same Java helper those scripts call, flink-runtime's BashJavaUtils:
#   - reads the configuration flattened (UPDATE_AND_GET_FLINK_CONFIGURATION -flatten) for env.java.*;
#   - derives -Xmx/-Xms/-XX:MaxDirectMemorySize/-XX:MaxMetaspaceSize and the memory dynamic properties
#     from the configured process size (GET_TM_RESOURCE_PARAMS / GET_JM_RESOURCE_PARAMS), so the JVM
#     stays inside the container's memory limit exactly as with the official image;
#   - execs the JVM with the service's main class, so it replaces the calling script.

FLINK_HOME="${FLINK_HOME:-/opt/flink}"
# Native mode mounts its ConfigMap here and sets FLINK_CONF_DIR; its entrypoints read that variable.
export FLINK_CONF_DIR="${FLINK_CONF_DIR:-$FLINK_HOME/conf}"
CONF_DIR="$FLINK_CONF_DIR"
LOG_DIR="${FLINK_LOG_DIR:-$FLINK_HOME/log}"
JAVA_RUN="${JAVA_HOME:+$JAVA_HOME/bin/}java"
RESULT_PREFIX="BASH_JAVA_UTILS_EXEC_RESULT:"

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

# read_config KEY FLAT_CONFIG -> the value, without surrounding quotes (config.sh's readFromConfig).
read_config() {
  awk -v key="$1" 'index($0, key ":") == 1 { v = substr($0, length(key) + 2) } END {
    sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v); gsub(/^"|"$/, "", v); print v }' <<<"$2"
}

# launch SERVICE ARGS...: flink-console.sh's service names. ARGS are passed on to Flink (dynamic properties).
launch() {
  local service="$1" main role flat java_opts role_opts resources jvm_params dynamic
  shift
  case "$service" in
    standalonesession) main=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint role=jobmanager ;;
    taskexecutor) main=org.apache.flink.runtime.taskexecutor.TaskManagerRunner role=taskmanager ;;
    kubernetes-session) main=org.apache.flink.kubernetes.entrypoint.KubernetesSessionClusterEntrypoint role=jobmanager ;;
    kubernetes-application) main=org.apache.flink.kubernetes.entrypoint.KubernetesApplicationClusterEntrypoint role=jobmanager ;;
    kubernetes-taskmanager) main=org.apache.flink.kubernetes.taskmanager.KubernetesTaskExecutorRunner role=taskmanager ;;
    *) echo "[ERROR] unknown Flink service '$service'" >&2; exit 1 ;;
  esac
  flat="$(bash_java_utils UPDATE_AND_GET_FLINK_CONFIGURATION -flatten)"
  # config.sh: default options first, then the user's; env.java.opts is the old name of .all.
  java_opts="$(read_config env.java.default-opts.all "$flat") $(read_config env.java.opts.all "$flat")"
  [ -n "${java_opts// /}" ] || java_opts="$(read_config env.java.opts "$flat")"
  role_opts="$(read_config "env.java.default-opts.$role" "$flat") $(read_config "env.java.opts.$role" "$flat")"
  if [ "$role" = jobmanager ]; then
    resources="$(bash_java_utils GET_JM_RESOURCE_PARAMS "$@")"
  else
    # taskmanager.sh: G1 unless the configuration sets JVM options of its own.
    if [ -z "${java_opts// /}${role_opts// /}" ]; then JVM_ARGS="${JVM_ARGS:-} -XX:+UseG1GC"; fi
    resources="$(bash_java_utils GET_TM_RESOURCE_PARAMS "$@")"
  fi
  # Two result lines: the JVM memory flags, then the derived memory sizes as `-D key=value` pairs.
  [ "$(wc -l <<<"$resources")" -eq 2 ] || { printf '[ERROR] unexpected resource parameters:\n%s\n' "$resources" >&2; exit 1; }
  jvm_params="$(head -n 1 <<<"$resources")"
  dynamic="$(tail -n 1 <<<"$resources")"
  local args=()
  case "$service" in
    # Flink's own scripts: the standalone processes get the directory and the derived sizes; native
    # mode's entrypoints read FLINK_CONF_DIR, and its TaskManager's command already carries the sizes.
    standalonesession|taskexecutor) read -ra args <<<"--configDir $CONF_DIR $dynamic" ;;
    kubernetes-session|kubernetes-application) read -ra args <<<"$dynamic" ;;
    kubernetes-taskmanager) args=(--configDir "$CONF_DIR") ;;
  esac
  mkdir -p "$LOG_DIR"
  echo "Starting $service as a console application on host $(hostname)."
  # Word splitting of the option strings is intended: the scripts pass them unquoted as well.
  # shellcheck disable=SC2086
  exec "$JAVA_RUN" ${JVM_ARGS:-} $jvm_params -XX:+IgnoreUnrecognizedVMOptions $java_opts $role_opts \
    "-Dlog.file=$LOG_DIR/flink-$(id -un)-$service-0-$(hostname).log" \
    "-Dlog4j.configuration=file:$CONF_DIR/log4j-console.properties" \
    "-Dlog4j.configurationFile=file:$CONF_DIR/log4j-console.properties" \
    "-Dlogback.configurationFile=file:$CONF_DIR/logback-console.xml" \
    -classpath "$(classpath)" "$main" "${args[@]}" "$@"
}
