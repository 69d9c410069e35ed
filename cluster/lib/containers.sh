# shellcheck shell=bash
# Sourced by cluster/down.sh: removes every pod sandbox and container the cluster's containerd runs, so
# their network namespaces, veths and mounts go, and kills what a crashed run left without a containerd.

containers_remove() {
  local sock=$FP_STATE/run/containerd.sock crictl
  crictl="$(fp_go_bin cri-tools)/crictl"
  if [[ -S "$sock" && -x "$crictl" ]] && daemon_pid containerd >/dev/null; then
    local pods
    pods=$("$crictl" --runtime-endpoint "unix://$sock" --timeout 30s pods -q 2>/dev/null || true)
    if [[ -n "$pods" ]]; then
      progress "removing $(wc -w <<<"$pods") pod sandbox(es) through the CRI"
      # shellcheck disable=SC2086 # one argument per sandbox id
      "$crictl" --runtime-endpoint "unix://$sock" --timeout 60s stopp $pods >/dev/null 2>&1 || true
      # shellcheck disable=SC2086
      "$crictl" --runtime-endpoint "unix://$sock" --timeout 60s rmp -f $pods >/dev/null 2>&1 || true
    fi
  fi
}

# After containerd has stopped: containers whose shim outlived it are killed through runc's own state.
containers_kill_leftovers() {
  local ns id pid
  for ns in "$FP_RUNC_ROOT"/*/; do
    [[ -d "$ns" ]] || continue
    for id in $(runc --root "$ns" list -q 2>/dev/null); do
      runc --root "$ns" kill "$id" KILL 2>/dev/null || true
      runc --root "$ns" delete --force "$id" 2>/dev/null || true
    done
  done
  # The shims themselves carry our containerd's socket on their command lines.
  for pid in $(pgrep -f "containerd-shim.*-address $FP_STATE/run/containerd.sock" || true); do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# Unmounts everything under the state folder, deepest first (volumes, sandboxes' shm, rootfs overlays).
mounts_remove() {
  local target
  while IFS= read -r target; do
    umount -l "$target" 2>/dev/null || true
  done < <(awk -v s="$FP_STATE" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
}

# CNI network namespaces whose pod address is in this cluster's pod range (a crashed run's sandboxes).
netns_remove() {
  local file prefix=${FP_POD_CIDR%.*}.
  for file in /run/netns/cni-*; do
    [[ -e "$file" ]] || continue
    if ip -n "$(basename "$file")" -o -4 addr 2>/dev/null | grep -q " inet ${prefix//./\\.}"; then
      ip netns delete "$(basename "$file")" 2>/dev/null || true
    fi
  done
}
