/**
 * How to find the TaskManagers of each kind of Flink deployment on Kubernetes, for ProfilingAccess.
 * Labels and container names are the ones Flink and its operator set; see shared/reference/flink.md.
 */
import type { ProfilingTarget } from "./profiling-job.ts";
import { requireDnsLabel, requireDnsSubdomain } from "./validation.ts";

/** The operator and native mode name the JVM container this way and expect pod templates to keep it. */
export const FLINK_MAIN_CONTAINER = "flink-main-container";

/** Native Kubernetes mode (`kubernetes.cluster-id`), also what the operator's default `mode: native` creates. */
export function nativeKubernetesTarget(clusterId: string): ProfilingTarget {
  requireDnsLabel("clusterId", clusterId);
  return {
    container: FLINK_MAIN_CONTAINER,
    labelSelector: { type: "flink-native-kubernetes", app: clusterId, component: "taskmanager" },
    // Flink names them `<cluster-id>-taskmanager-<attempt>-<index>`.
    podNamePrefix: `${clusterId}-taskmanager-`,
  };
}

/** A FlinkDeployment of the Flink Kubernetes Operator, by its metadata.name. */
export function operatorTarget(deploymentName: string, mode: "native" | "standalone" = "native"): ProfilingTarget {
  if (mode === "native") return nativeKubernetesTarget(deploymentName);
  requireDnsLabel("deploymentName", deploymentName);
  return {
    container: FLINK_MAIN_CONTAINER,
    labelSelector: { type: "flink-standalone-kubernetes", app: deploymentName, component: "taskmanager" },
    // The operator's TaskManager Deployment is `<name>-taskmanager`; its pods add two hashes.
    podNamePrefix: `${deploymentName}-taskmanager-`,
  };
}

/** Any other deployment: say which labels its TaskManager pods carry and which container runs Flink. */
export function customTarget(
  container: string,
  labelSelector: Record<string, string>,
  podNames?: string[],
): ProfilingTarget {
  requireDnsLabel("container", container);
  for (const pod of podNames ?? []) requireDnsSubdomain("podNames entry", pod);
  return { container, labelSelector, ...(podNames ? { podNames } : {}) };
}
