// What every cluster command needs before it may create anything: the namespace, that it exists,
// the Job template, and the TaskManagers. Each step fails with a ClusterError that says how to fix it.
import { TEMPLATE_KEY, parseTemplate, type ProfilingJobTemplate } from "../../../components/profiling-job.ts";
import {
  LEGACY_TEMPLATE_CONFIGMAP_NAME,
  TEMPLATE_CLUSTER_LABEL,
  TEMPLATE_CONFIGMAP_LABELS,
  templateConfigMapName,
} from "../../../components/profiling-names.ts";
import type { TaskManagerChoice } from "./cluster-cli.ts";
import type { Kubectl } from "./kubectl.ts";
import { ClusterError, explainKubectlFailure } from "./kubectl-errors.ts";
import { podInfo, selectTaskManagers, type Selection } from "./select.ts";

/** -n if given, else the context's namespace, else "default" — what kubectl itself would use. */
export async function resolveNamespace(kubectl: Kubectl): Promise<string> {
  if (kubectl.kube.namespace) return kubectl.kube.namespace;
  const r = await kubectl.run(["config", "view", "--minify", "-o", "jsonpath={..namespace}"]);
  if (r.exitCode !== 0) throw explainKubectlFailure(r.stderr, "read the kubectl configuration", kubectl.kube);
  return r.stdout.trim() || "default";
}

/** kubectl lists nothing, without an error, in a namespace that does not exist; ask for it by name. */
export async function requireNamespace(kubectl: Kubectl, namespace: string): Promise<void> {
  const r = await kubectl.run(["get", "namespace", namespace, "-o", "name"]);
  if (r.exitCode === 0) return;
  // Many users may not read namespaces (cluster-scoped); then the pod list speaks for it.
  if (/\(Forbidden\)/.test(r.stderr)) return;
  throw explainKubectlFailure(r.stderr, `find namespace ${namespace}`, kubectl.kube);
}

/** A template as read from its ConfigMap; the ConfigMap's name is what hints and RBAC checks name. */
export interface StoredTemplate {
  template: ProfilingJobTemplate;
  configMap: string;
}

/**
 * The profiling Job template of Flink cluster `cluster` (the ConfigMap its ProfilingAccess names after it),
 * or — for a namespace set up before names were derived — the one unlabelled legacy template. Without a
 * cluster (-l, --pod), the legacy template, else the namespace's only template.
 */
export async function readTemplate(kubectl: Kubectl, namespace: string, cluster?: string): Promise<StoredTemplate> {
  const own = cluster ? await getConfigMap(kubectl, namespace, templateConfigMapName(cluster)) : undefined;
  if (own) return parseStored(own, namespace, cluster);
  const legacy = await getConfigMap(kubectl, namespace, LEGACY_TEMPLATE_CONFIGMAP_NAME);
  // With a cluster, parseStored refuses a legacy-named template labelled for another cluster. Without one,
  // a labelled ConfigMap of that name is simply cluster "flink"'s, and says nothing about the others.
  if (legacy && (cluster || !legacy.metadata?.labels?.[TEMPLATE_CLUSTER_LABEL]))
    return parseStored(legacy, namespace, cluster);
  if (cluster) throw noTemplate(namespace, cluster);
  return parseStored(await onlyTemplate(kubectl, namespace), namespace, undefined);
}

/**
 * The template for a choice of TaskManagers: `--cluster NAME`'s; for -l and --pod, the template of the
 * one cluster the chosen pods belong to (their labels say which), so those choices work with several
 * clusters in a namespace too.
 */
export async function readTemplateFor(
  kubectl: Kubectl,
  namespace: string,
  choice: TaskManagerChoice,
): Promise<StoredTemplate> {
  if (choice.by === "cluster") {
    try {
      return await readTemplate(kubectl, namespace, choice.cluster);
    } catch (err) {
      // "No TaskManager of cluster X (these clusters are here)" is the better answer when X is a typo.
      if (err instanceof TemplateNotFound) await findTaskManagers(kubectl, namespace, choice);
      throw err;
    }
  }
  const clusters = new Set((await findTaskManagers(kubectl, namespace, choice)).targets.map((t) => t.cluster));
  const [only] = clusters;
  return readTemplate(kubectl, namespace, clusters.size === 1 ? only : undefined);
}

type ConfigMapObject = {
  metadata?: { name?: string; labels?: Record<string, string> };
  data?: Record<string, unknown>;
};

async function getConfigMap(kubectl: Kubectl, namespace: string, name: string): Promise<ConfigMapObject | undefined> {
  const r = await kubectl.run(["get", "configmap", name, `--namespace=${namespace}`, "-o", "json"]);
  if (r.exitCode === 0) return JSON.parse(r.stdout) as ConfigMapObject;
  if (/\(NotFound\)/.test(r.stderr)) return undefined;
  throw explainKubectlFailure(r.stderr, `read the profiling Job template in ${namespace}`, kubectl.kube);
}

/** Lists the namespace's templates by label; people may lack `list` on ConfigMaps, so say what to add instead. */
async function onlyTemplate(kubectl: Kubectl, namespace: string): Promise<ConfigMapObject> {
  const selector = Object.entries(TEMPLATE_CONFIGMAP_LABELS)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const r = await kubectl.run([
    "get",
    "configmaps",
    `--namespace=${namespace}`,
    `--selector=${selector}`,
    "-o",
    "json",
  ]);
  const items: ConfigMapObject[] = r.exitCode === 0 ? (JSON.parse(r.stdout).items ?? []) : [];
  if (items.length === 1) return items[0]!;
  const clusters = items.map((i) => i.metadata?.labels?.[TEMPLATE_CLUSTER_LABEL] ?? i.metadata?.name).join(", ");
  if (items.length > 1) {
    throw new ClusterError(
      `several Flink clusters have a profiling Job template in namespace "${namespace}": ${clusters}`,
      "add --cluster NAME to say whose template to use",
    );
  }
  if (r.exitCode === 0) {
    throw new ClusterError(
      `no profiling Job template in namespace "${namespace}"`,
      "deploy the ProfilingAccess component into this namespace, or profile with your own exec right: --via exec",
    );
  }
  throw new ClusterError(
    `no profiling Job template found in namespace "${namespace}" without --cluster (you may not list ConfigMaps)`,
    "add --cluster NAME (the Flink cluster whose ProfilingAccess made the template), or profile with your own exec right: --via exec",
  );
}

class TemplateNotFound extends ClusterError {}

function noTemplate(namespace: string, cluster: string): ClusterError {
  return new TemplateNotFound(
    `no profiling Job template for Flink cluster "${cluster}" in namespace "${namespace}" (ConfigMap ${templateConfigMapName(cluster)})`,
    "deploy the ProfilingAccess component for this cluster into this namespace, or profile with your own exec right: --via exec",
  );
}

function parseStored(cm: ConfigMapObject, namespace: string, cluster: string | undefined): StoredTemplate {
  const name = cm.metadata?.name ?? LEGACY_TEMPLATE_CONFIGMAP_NAME;
  const text = cm.data?.[TEMPLATE_KEY];
  if (typeof text !== "string") {
    throw new ClusterError(
      `ConfigMap ${name} in "${namespace}" has no ${TEMPLATE_KEY}`,
      "redeploy the ProfilingAccess component, which writes it",
    );
  }
  const owner = cm.metadata?.labels?.[TEMPLATE_CLUSTER_LABEL];
  if (cluster && owner && owner !== cluster) {
    throw new ClusterError(
      `ConfigMap ${name} in "${namespace}" is the template of Flink cluster "${owner}", not "${cluster}"`,
      "redeploy the ProfilingAccess component; do not edit or rename the ConfigMap by hand",
    );
  }
  try {
    return { template: parseTemplate(text), configMap: name };
  } catch (err) {
    throw new ClusterError(
      `the profiling Job template in "${namespace}" is broken: ${(err as Error).message}`,
      "redeploy the ProfilingAccess component; do not edit the ConfigMap by hand",
    );
  }
}

export async function findTaskManagers(
  kubectl: Kubectl,
  namespace: string,
  choice: TaskManagerChoice,
  container?: string,
): Promise<Selection> {
  const args = ["get", "pods", `--namespace=${namespace}`];
  if (choice.by === "selector") args.push(`--selector=${choice.selector}`);
  const list = await kubectl.json<{ items?: unknown[] }>(args, `list pods in ${namespace}`);
  return selectTaskManagers((list.items ?? []).map(podInfo), choice, namespace, container);
}
