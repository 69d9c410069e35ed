# shellcheck shell=bash
# Sourced by cluster/up.sh and cluster/down.sh: the node's links, sysctls and firewall rules, and their
# removal. Everything made here is named fp*/FP-*; kube-proxy, the kubelet and CNI add KUBE-*/CNI-* chains.

FP_SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables)

net_up() {
  # Remember the machine's values once, so down restores them even after a crashed run.
  if [[ ! -f "$FP_STATE/run/sysctl.saved" ]]; then
    local key
    for key in "${FP_SYSCTLS[@]}"; do
      printf '%s=%s\n' "$key" "$(sysctl -n "$key")"
    done >"$FP_STATE/run/sysctl.saved"
  fi
  # Forwarding: a pod reaching a Service whose endpoint is another pod goes out and back in the pod
  # bridge. bridge-nf-call-iptables: kube-proxy's rules must see bridged traffic (hairpin, DNAT).
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1

  ip link add "$FP_NODE_LINK" type bridge
  ip addr add "$FP_NODE_IP/32" dev "$FP_NODE_LINK"
  ip link set "$FP_NODE_LINK" up
  # The pod bridge is made here rather than by CNI on the first pod, so the Service range can be routed
  # to it now: the host then reaches Service addresses through kube-proxy's DNAT, never a default route.
  ip link add "$FP_POD_BRIDGE" type bridge
  ip addr add "${FP_POD_CIDR%.*/*}.1/${FP_POD_CIDR#*/}" dev "$FP_POD_BRIDGE"
  ip link set "$FP_POD_BRIDGE" up
  ip route add "$FP_SERVICE_CIDR" dev "$FP_POD_BRIDGE"

  # No pod traffic leaves the machine: forwarded packets from the pod range may only go back to a pod.
  iptables -N FP-ISOLATION
  iptables -A FP-ISOLATION -s "$FP_POD_CIDR" ! -o "$FP_POD_BRIDGE" -j DROP
  iptables -I FORWARD 1 -j FP-ISOLATION
}

# net_remove_chains CMD: deletes every rule that jumps to, and every chain named, KUBE-*, CNI-* or FP-*.
net_remove_chains() {
  local cmd=$1 table rule chain
  command -v "$cmd" >/dev/null || return 0
  for table in filter nat mangle raw; do
    "$cmd" -t "$table" -S >/dev/null 2>&1 || continue
    while IFS= read -r rule; do
      # iptables -S prints rules as arguments; quoted comments are the only words with spaces.
      eval "$cmd -t $table -D ${rule#-A }" 2>/dev/null || true
    done < <("$cmd" -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j (KUBE-|CNI-|FP-)')
    # iptables -S warns on stderr about the other backend's tables; that is not ours to report.
    for chain in $("$cmd" -t "$table" -S 2>/dev/null | awk '/^-N (KUBE-|CNI-|FP-)/ {print $2}'); do
      "$cmd" -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $("$cmd" -t "$table" -S 2>/dev/null | awk '/^-N (KUBE-|CNI-|FP-)/ {print $2}'); do
      "$cmd" -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

net_down() {
  local cmd link
  for cmd in iptables ip6tables iptables-legacy ip6tables-legacy; do
    net_remove_chains "$cmd"
  done
  # Deleting a bridge removes its addresses and routes; pods' veths go with their namespaces.
  for link in "$FP_POD_BRIDGE" "$FP_NODE_LINK"; do
    ip link show "$link" >/dev/null 2>&1 && ip link del "$link"
  done
  # kube-proxy's dummy interface for Service addresses (only in ipvs/nftables modes; harmless otherwise).
  ip link show kube-ipvs0 >/dev/null 2>&1 && ip link del kube-ipvs0
  if [[ -f "$FP_STATE/run/sysctl.saved" ]]; then
    local saved
    mapfile -t saved <"$FP_STATE/run/sysctl.saved"
    sysctl -qw "${saved[@]}" || true
    rm -f "$FP_STATE/run/sysctl.saved"
  fi
}
