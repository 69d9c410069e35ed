#!/usr/bin/env bash
# The end-to-end tier: brings up the local real cluster, runs test/cluster-e2e (pulumi up … destroy)
# on it, and always takes the cluster down again, also when a test fails or the run is interrupted.
#
# usage: cluster/e2e.sh [vitest args]        (npm run test:cluster)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
source "$here/lib/common.sh"

started=$SECONDS
# Cold builds happen here, not inside a test's time limit (warm: seconds).
bash cluster/build.sh all
bash cluster/build-pulumi.sh >/dev/null
trap 'bash cluster/down.sh' EXIT
bash cluster/up.sh >/dev/null
progress "cluster ready after $((SECONDS - started))s; running the end-to-end tier"
tier=$SECONDS
npx vitest run --config vitest.cluster.config.ts "$@"
progress "end-to-end tier passed in $((SECONDS - tier))s (cluster setup included: $((SECONDS - started))s)"
