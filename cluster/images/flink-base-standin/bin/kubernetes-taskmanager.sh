#!/usr/bin/env bash
# STAND-IN for flink-dist's bin/kubernetes-taskmanager.sh (not on Maven Central): the pods that a native
# Kubernetes JobManager creates run `bash -c "kubernetes-taskmanager.sh -D key=value …"`.
set -euo pipefail
# shellcheck source=SCRIPTDIR/standin-launch.sh
source "$(dirname "$0")/standin-launch.sh"
launch kubernetes-taskmanager "$@"
