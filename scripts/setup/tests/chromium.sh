#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (test/flamegraph-browser.test.ts), which drives it with
# playwright-core through its executablePath: no browser is downloaded. `npm test` runs it first (pretest);
# apt-get needs root, so elsewhere install the package once. Quick when chromium is there.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "setup: the browser test needs Debian's chromium; install it as root: apt-get install chromium" >&2
  exit 1
fi
echo "setup: installing Debian's chromium for the browser test" >&2
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
