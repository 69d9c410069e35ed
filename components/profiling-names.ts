/**
 * The names of the objects that give profiling access to one Flink cluster, derived from the cluster's
 * name, so several clusters can live in one namespace: nothing collides, and destroying one cluster's
 * access leaves the other's service account, Roles and template alone. The CLI derives the same names
 * from `--cluster NAME`, so this file is where both sides agree.
 */
import { MANAGED_BY } from "./profiling-job.ts";
import { requireDnsLabel } from "./validation.ts";

/** The ConfigMap name every namespace had before names were derived; the CLI still reads it if it is alone. */
export const LEGACY_TEMPLATE_CONFIGMAP_NAME = "flink-profiling-job-template";
/** On the template ConfigMap: which Flink cluster (the CLI's `--cluster NAME`) the template profiles. */
export const TEMPLATE_CLUSTER_LABEL = "flink-profiling/cluster";
/** On every template ConfigMap, whatever its cluster: lets the CLI list the templates of a namespace. */
export const TEMPLATE_CONFIGMAP_LABELS = { ...MANAGED_BY, "app.kubernetes.io/component": "profiling-job-template" } as const;

export interface ProfilingObjectNames {
  /** The profiling Job's service account: the one that holds the exec right. */
  serviceAccount: string;
  /** Role and RoleBinding of that service account. */
  runnerRole: string;
  /** Role and RoleBinding of the people who profile. */
  profilerRole: string;
  templateConfigMap: string;
}

export function profilingObjectNames(cluster: string): ProfilingObjectNames {
  requireDnsLabel("cluster", cluster);
  return {
    serviceAccount: `${cluster}-profiling-runner`,
    runnerRole: `${cluster}-profiling-runner`,
    profilerRole: `${cluster}-profilers`,
    templateConfigMap: templateConfigMapName(cluster),
  };
}

export function templateConfigMapName(cluster: string): string {
  return `${requireDnsLabel("cluster", cluster)}-profiling-job-template`;
}

export function templateConfigMapLabels(cluster: string): Record<string, string> {
  return { ...TEMPLATE_CONFIGMAP_LABELS, [TEMPLATE_CLUSTER_LABEL]: requireDnsLabel("cluster", cluster) };
}

/**
 * The cluster a target's labels name, as the CLI's `--cluster` would match it: our StatefulSet's
 * `app.kubernetes.io/instance`, else the `app` label that native mode and the operator set.
 */
export function clusterFromLabels(labels: Record<string, string>): string | undefined {
  return labels["app.kubernetes.io/instance"] ?? labels.app;
}
