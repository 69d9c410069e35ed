#!/usr/bin/env bash
# Debian's shellcheck, which keeps the in-image helper (images/flink-profiling/bin/flink-profiler and lib/) clean:
# scripts/setup/tests/shellcheck-helper.sh (.ci/run).
exec bash "$(dirname "$0")/debian-package.sh" shellcheck shellcheck "checking the helper"
