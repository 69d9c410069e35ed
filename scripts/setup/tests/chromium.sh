#!/usr/bin/env bash
# Debian's chromium for the browser test (test/flamegraph-browser.test.ts), which drives it with
# playwright-core through its executablePath: no browser is downloaded. `npm test` runs it first (pretest).
exec bash "$(dirname "$0")/debian-package.sh" chromium chromium "the browser test"
