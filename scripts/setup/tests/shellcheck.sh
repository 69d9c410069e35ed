#!/usr/bin/env bash
# Debian's shellcheck, which keeps the in-image helper (images/flink-profiling/flink-profiler) clean:
# `shellcheck images/flink-profiling/flink-profiler` (.ci/run).
exec bash "$(dirname "$0")/debian-package.sh" shellcheck shellcheck "checking the helper"
