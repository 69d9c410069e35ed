#!/usr/bin/env bash
# Installs Debian's shellcheck, which keeps the in-image helper (images/flink-profiling/flink-profiler)
# clean: `shellcheck images/flink-profiling/flink-profiler`. apt-get needs root, so elsewhere install the
# package once. Quick when shellcheck is there.
set -euo pipefail
if command -v shellcheck >/dev/null 2>&1; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "setup: checking the helper needs Debian's shellcheck; install it as root: apt-get install shellcheck" >&2
  exit 1
fi
echo "setup: installing Debian's shellcheck" >&2
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q shellcheck >/dev/null
