# shellcheck shell=bash
# Sourced by cluster/up.sh: renders the configuration files of containerd, CNI, the kubelet, kube-proxy
# and CoreDNS into the state folder. Pure text, no processes.

FP_PAUSE_IMAGE=flink-profiling.local/pause:1

config_containerd() {
  local s=$FP_STATE
  cat <<TOML
version = 2
root = "$s/containerd/root"
state = "$s/containerd/state"
[grpc]
  address = "$s/run/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$FP_PAUSE_IMAGE"
  # Without it runc cannot set the sandbox's oom_score_adj here (no CAP_SYS_RESOURCE) and no pod starts.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$s/cni"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      Root = "$FP_RUNC_ROOT"
TOML
}

# One bridge, one subnet, host-local addresses; portmap for hostPort. No route leaves the machine:
# pods reach the node and each other, and the masquerade rule only applies inside the pod subnet's bridge.
config_cni() {
  cat <<JSON
{
  "cniVersion": "0.4.0",
  "name": "flink-profiling-local",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$FP_POD_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$FP_POD_CIDR" }]],
                "routes": [{ "dst": "0.0.0.0/0" }], "dataDir": "$FP_STATE/cni-ipam" }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "loopback" }
  ]
}
JSON
}

config_kubelet() {
  local p=$FP_STATE/pki
  cat <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# cgroups are v1 only on these machines (real-cluster.md), so no systemd driver and no v1 refusal.
cgroupDriver: cgroupfs
failCgroupV1: false
cgroupRoot: /flink-profiling-cluster
failSwapOn: false
address: $FP_NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
containerRuntimeEndpoint: unix://$FP_STATE/run/containerd.sock
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $p/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $p/kubelet-serving.crt
tlsPrivateKeyFile: $p/kubelet-serving.key
clusterDomain: $FP_DNS_DOMAIN
clusterDNS: [$FP_NODE_IP]
resolvConf: ""
# Images cannot be pulled again here: never collect them, never evict for a busy disk.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%" }
# A fifth of the default (10Mi), so that the end-to-end tier makes a profile larger than one log file in
# seconds and checks what happens to a profiling Job's result past it (04-large-results).
containerLogMaxSize: 2Mi
podLogsDir: $FP_STATE/pod-logs
serializeImagePulls: false
YAML
}

config_kube_proxy() {
  cat <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: { kubeconfig: $FP_STATE/pki/kube-proxy.kubeconfig }
clusterCIDR: $FP_POD_CIDR
hostnameOverride: $FP_NODE_NAME
bindAddress: $FP_NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: { maxPerCore: 0 }
YAML
}

# Cluster names only; anything else gets NXDOMAIN, so no query leaves the machine.
config_corefile() {
  cat <<COREFILE
$FP_DNS_DOMAIN:53 in-addr.arpa:53 {
  bind $FP_NODE_IP
  errors
  kubernetes $FP_DNS_DOMAIN in-addr.arpa {
    kubeconfig $FP_STATE/pki/coredns.kubeconfig system:coredns@flink-profiling-local
    pods insecure
  }
  cache 5
}
.:53 {
  bind $FP_NODE_IP
  template ANY ANY { rcode NXDOMAIN }
}
COREFILE
}
