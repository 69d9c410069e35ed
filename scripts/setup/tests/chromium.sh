#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (test/flamegraph-browser.test.ts), which drives it with
# playwright-core through its executablePath: no browser is downloaded. apt-get needs root, so CI
# (.ci/run) calls this; on a workstation install the package once. Quick when chromium is there.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "setup: installing Debian's chromium for the browser test" >&2
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
