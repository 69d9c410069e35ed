#!/usr/bin/env bash
# Makes a kubeconfig for a person of the local real cluster: a client certificate signed by the
# cluster's CA, with the user name as CN and each group as O — how real clusters authenticate people.
# What the person may do is up to RBAC; this grants nothing. Prints the kubeconfig's path.
#
# usage: cluster/user.sh NAME [GROUP...]      e.g. cluster/user.sh alice flink-oncall
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib/common.sh"
source "$here/lib/pki.sh"

[[ $# -ge 1 ]] || die "usage: cluster/user.sh NAME [GROUP...]"
# A name becomes a file name and a certificate subject: keep it to what both take as they are.
for value in "$@"; do
  [[ "$value" =~ ^[a-z0-9]([a-z0-9.@_-]{0,62})$ ]] \
    || die "'$value' is not a plain name (lowercase letters, digits, . @ _ -; at most 63)"
done
[[ -f "$FP_STATE/pki/ca.key" ]] || die "no cluster CA in $FP_STATE/pki; start the cluster first: npm run cluster:up"
name=$1
shift
# Made once: a second call with other groups would otherwise hand back the old certificate silently.
if [[ "$(cat "$FP_STATE/pki/user-$name.groups" 2>/dev/null)" != "$*" ]]; then
  rm -f "$FP_STATE/pki/user-$name".*
fi
pki_user "$FP_STATE/pki" "user-$name" "$name" "$@"
echo "$*" >"$FP_STATE/pki/user-$name.groups"
echo "$FP_STATE/pki/user-$name.kubeconfig"
