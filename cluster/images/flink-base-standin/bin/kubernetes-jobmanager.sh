#!/usr/bin/env bash
# STAND-IN for flink-dist's bin/kubernetes-jobmanager.sh (not on Maven Central): native Kubernetes mode
# starts its JobManager pod with `bash -c "kubernetes-jobmanager.sh kubernetes-session|kubernetes-application"`.
set -euo pipefail
# shellcheck source=SCRIPTDIR/standin-launch.sh
source "$(dirname "$0")/standin-launch.sh"
case "${1:-}" in
  kubernetes-session|kubernetes-application) launch "$@" ;;
  *) echo "Usage: $(basename "$0") kubernetes-session|kubernetes-application [args]" >&2; exit 1 ;;
esac
