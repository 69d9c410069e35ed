#!/usr/bin/env bash
# The tests drive a real kubectl, pinned with the rest of Kubernetes in cluster/go/kubernetes and built
# from Go modules once per machine (cluster/build.sh). It goes into node_modules/.bin, which npm puts
# first on PATH, so `npm test` never uses whatever kubectl the machine may have. Quick when built.
# Only the tests need it (not the demo), so scripts/setup.sh does not run this folder.
set -euo pipefail
cd "$(dirname "$0")/../../.."
source cluster/lib/common.sh

bin="$(fp_go_bin kubernetes)/kubectl"
if [ ! -x "$bin" ]; then
  echo "setup: building kubectl from Go modules (once per machine; a few minutes)" >&2
  bash cluster/build.sh kubectl
fi
ln -sfn "$bin" node_modules/.bin/kubectl
