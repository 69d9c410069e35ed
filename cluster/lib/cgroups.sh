# shellcheck shell=bash
# Sourced by cluster/up.sh and cluster/down.sh: the kubelet's cgroup root. cgroups are v1 here, so the
# root is made in every hierarchy; the kubelet refuses a cgroupRoot that does not exist.

FP_CGROUP_ROOT=flink-profiling-cluster

cgroups_up() {
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    [[ -f "$hierarchy/cgroup.procs" ]] || continue
    mkdir -p "$hierarchy$FP_CGROUP_ROOT"
    # A new v1 cpuset has no CPUs or memory nodes, and nothing could run in it; inherit the parent's.
    if [[ -f "$hierarchy/cpuset.cpus" ]]; then
      cat "$hierarchy/cpuset.cpus" >"$hierarchy$FP_CGROUP_ROOT/cpuset.cpus"
      cat "$hierarchy/cpuset.mems" >"$hierarchy$FP_CGROUP_ROOT/cpuset.mems"
    fi
  done
}

# Removes the cgroups the kubelet made under the root, deepest first (a v1 cgroup goes only when empty).
cgroups_down() {
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    [[ -d "$hierarchy$FP_CGROUP_ROOT" ]] || continue
    find "$hierarchy$FP_CGROUP_ROOT" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}
