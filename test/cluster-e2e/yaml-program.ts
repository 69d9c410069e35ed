// The Pulumi YAML program of test/cluster-e2e/08-pulumi-yaml.test.ts, as a pure function (no cluster needed to
// read or preview it).

export const NS = "flink-yaml-e2e";
/** The FlinkCluster's name: its pods are `orders-jobmanager-…` and `orders-taskmanager-0`. */
export const CLUSTER_NAME = "orders";

/**
 * The program, as a YAML user writes it after `pulumi package add <clone>/pulumi-package`. (That command
 * fails here at its last step, linking, which the YAML language host 1.25.0 of this tier does not implement;
 * it would write the same `packages` entry.) The node has two CPUs and the cluster of 01 requests 1.5 of
 * them: 250m and 200m here (requests are limits; less makes the JVMs start for minutes), and the smallest
 * memory Flink starts with, rounded up.
 */
export function yamlProgram(packageDir: string, images: { flink: string; runner: string }): string {
  return `name: flink-profiling-yaml-e2e
runtime: yaml
packages:
  flink-profiling: ${packageDir}
resources:
  ns:
    type: kubernetes:core/v1:Namespace
    properties:
      metadata:
        name: ${NS}
        labels:
          pod-security.kubernetes.io/enforce: restricted
  ${CLUSTER_NAME}:
    type: flink-profiling:index:FlinkCluster
    properties:
      namespace: ${NS}
      flinkVersion: "2.3"
      image: ${images.flink}
      runnerImage: ${images.runner}
      taskManagers: 1
      slotsPerTaskManager: 1
      jobManager:
        cpu: 250m
        memoryMiB: 768
      taskManager:
        cpu: 200m
        memoryMiB: 1024
      flinkConfig:
        taskmanager.memory.managed.fraction: "0.1"
      users: [alice]
    options:
      dependsOn:
        - \${ns}
outputs:
  restService: \${${CLUSTER_NAME}.restServiceName}
  taskManagerPods: \${${CLUSTER_NAME}.taskManagerPodNames}
  templateConfigMap: \${${CLUSTER_NAME}.templateConfigMapName}
`;
}
