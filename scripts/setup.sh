#!/usr/bin/env bash
# Installs what the demo, the tests and the benchmark need, from a clean clone.
# Idempotent and quick when everything is already in place, so npm's pre-hooks can call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm packages; this also brings a supported Node (the `node` dev dependency) for npm scripts.
if [ ! -x node_modules/.bin/node ] || [ package.json -nt node_modules/.package-lock.json ] \
   || { [ -f package-lock.json ] && [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "setup: installing npm packages" >&2
  npm install --no-audit --no-fund --loglevel=error
fi

for step in scripts/setup/*.sh; do
  bash "$step"
done
