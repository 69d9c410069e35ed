#!/usr/bin/env bash
# Entrypoint of the STAND-IN for the official Flink image (see README.md beside this file).
#
# Same contract as the official 2.x entrypoint: `jobmanager`, `taskmanager`, `help`, or any other command
# (run as given); jemalloc preloaded unless DISABLE_JEMALLOC=true; JOB_MANAGER_RPC_ADDRESS,
# TASK_MANAGER_NUMBER_OF_TASK_SLOTS and FLINK_PROPERTIES written into /opt/flink/conf/config.yaml; extra
# arguments (`-Dkey=value`) reach Flink as dynamic properties. flink-dist (bin/*.sh and flink-dist.jar)
# is not available here: what its jobmanager.sh, taskmanager.sh, config.sh and flink-console.sh do is
# done by bin/standin-launch.sh, with the same Java helper they call (flink-runtime's BashJavaUtils), and
# the JVM is exec'd, so it replaces this script (PID 1 when this is the entrypoint). Native Kubernetes
# mode runs bin/kubernetes-jobmanager.sh and bin/kubernetes-taskmanager.sh through the last branch below.
# Unlike the official 2.x script (which warns and goes on), a start as root drops to flink (uid 9999)
# first, like the 1.x images did with gosu: the JVM always runs as flink.
set -euo pipefail

FLINK_HOME="${FLINK_HOME:-/opt/flink}"

if [ "$(id -u)" = 0 ]; then
  # setpriv (util-linux) plays the part of gosu; HOME as the official image's flink user has it.
  exec setpriv --reuid=9999 --regid=9999 --init-groups env HOME="$FLINK_HOME" "$0" "$@"
fi

# flink-dist's config.sh and flink-console.sh, as this stand-in has them (classpath, BashJavaUtils, launch).
# shellcheck source=SCRIPTDIR/bin/standin-launch.sh
source "$FLINK_HOME/bin/standin-launch.sh"

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
    if [ "$role" = jobmanager ]; then
      echo "Starting Job Manager"
      launch standalonesession "$@"
    else
      echo "Starting Task Manager"
      launch taskexecutor "$@"
    fi ;;
  standalone-job|history-server)
    echo "'$1' needs classes this stand-in does not have (flink-dist, flink-runtime-web)." >&2
    exit 1 ;;
  *)
    maybe_enable_jemalloc
    exec "$@" ;;
esac
