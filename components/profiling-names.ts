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
export const TEMPLATE_CONFIGMAP_LABELS = {
  ...MANAGED_BY,
  "app.kubernetes.io/component": "profiling-job-template",
} as const;

/**
 * Ends the name of every runner service account this project makes. The admission policies of several
 * clusters in one namespace tell their Jobs apart by it (admission-policy.ts): a Job that runs as another
 * cluster's runner account is that cluster's policy's business, any other account is refused by all.
 */
export const RUNNER_ACCOUNT_SUFFIX = "-profiling-runner";

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
    serviceAccount: `${cluster}${RUNNER_ACCOUNT_SUFFIX}`,
    runnerRole: `${cluster}${RUNNER_ACCOUNT_SUFFIX}`,
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
