// Which pods are the TaskManagers to profile, and which container in each runs the JVM. Pure:
// pod objects from `kubectl get pods -o json` in, targets out.
import { UsageError } from "../profile-options.ts";
import type { TaskManagerChoice } from "./cluster-cli.ts";
import { clusterLabels, type FlinkClusterSpec } from "../../../components/flink-manifests.ts";

export interface PodInfo {
  name: string;
  labels: Record<string, string>;
  phase: string;
  deleting: boolean;
  containers: { name: string; image: string }[];
  /** Reason a container is not running yet, e.g. ImagePullBackOff. */
  waiting?: string;
  /** status.podIP: where Flink's REST API places a TaskManager whose id is not its pod's name. */
  ip?: string;
}

export interface TaskManagerTarget {
  pod: string;
  container: string;
  /** The Flink cluster the pod belongs to, when its labels say so. */
  cluster?: string;
  image: string;
  ip?: string;
}

export interface Selection {
  targets: TaskManagerTarget[];
  /** Matching pods that cannot be profiled now, with the reason. */
  skipped: { pod: string; reason: string }[];
}

/** The labels the components' StatefulSet puts on its TaskManager pods: described once, in components/. */
export const OUR_LABELS = (cluster: string) => clusterLabels({ name: cluster } as FlinkClusterSpec, "taskmanager");

/** Every way a TaskManager of Flink cluster `cluster` is labelled: ours, the operator's standalone mode, native. */
export function clusterLabelSets(cluster: string): Record<string, string>[] {
  return [
    OUR_LABELS(cluster),
    { type: "flink-standalone-kubernetes", app: cluster, component: "taskmanager" },
    { type: "flink-native-kubernetes", app: cluster, component: "taskmanager" },
  ];
}

export function matchesLabels(labels: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/** The cluster a TaskManager pod belongs to, from whichever labelling scheme it uses. */
export function clusterOf(labels: Record<string, string>): string | undefined {
  if (
    labels.component === "taskmanager" &&
    labels["app.kubernetes.io/name"] === "flink" &&
    labels["app.kubernetes.io/instance"]
  ) {
    return labels["app.kubernetes.io/instance"];
  }
  if (labels.component === "taskmanager" && /^flink-(standalone|native)-kubernetes$/.test(labels.type ?? ""))
    return labels.app;
  return undefined;
}

// Flink's docs, the operator and native mode name the JVM's container differently.
const KNOWN_CONTAINERS = ["flink-main-container", "taskmanager"];

/** The container that runs the TaskManager JVM: the template's, a well-known name, or the only one. */
export function pickContainer(pod: PodInfo, preferred?: string): string | undefined {
  const names = pod.containers.map((c) => c.name);
  for (const name of [preferred, ...KNOWN_CONTAINERS]) if (name && names.includes(name)) return name;
  return names.length === 1 ? names[0] : undefined;
}

/** Reads the fields we need from a Pod object; anything missing becomes an empty value. */
export function podInfo(pod: any): PodInfo {
  const statuses: any[] = pod?.status?.containerStatuses ?? [];
  const waiting = statuses.map((s) => s?.state?.waiting?.reason).find((r) => typeof r === "string");
  return {
    name: String(pod?.metadata?.name ?? ""),
    labels: { ...(pod?.metadata?.labels ?? {}) },
    phase: String(pod?.status?.phase ?? "Unknown"),
    deleting: Boolean(pod?.metadata?.deletionTimestamp),
    containers: (pod?.spec?.containers ?? []).map((c: any) => ({
      name: String(c?.name ?? ""),
      image: String(c?.image ?? ""),
    })),
    ...(waiting ? { waiting } : {}),
    ...(typeof pod?.status?.podIP === "string" && pod.status.podIP ? { ip: pod.status.podIP } : {}),
  };
}

/**
 * `pods` is every pod of the namespace for --cluster and --pod, or kubectl's answer to the selector for
 * -l. Throws a UsageError when nothing can be profiled, naming what was there instead.
 */
export function selectTaskManagers(
  pods: PodInfo[],
  choice: TaskManagerChoice,
  namespace: string,
  preferredContainer?: string,
): Selection {
  let matching: PodInfo[];
  if (choice.by === "cluster") {
    const sets = clusterLabelSets(choice.cluster);
    matching = pods.filter((p) => sets.some((s) => matchesLabels(p.labels, s)));
  } else if (choice.by === "pods") {
    const missing = choice.pods.filter((name) => !pods.some((p) => p.name === name));
    if (missing.length > 0) {
      throw new UsageError(
        `no pod named ${missing.map((m) => `"${m}"`).join(", ")} in namespace "${namespace}"`,
        `list the TaskManagers with \`kubectl get pods -n ${namespace}\``,
      );
    }
    matching = choice.pods.map((name) => pods.find((p) => p.name === name)!);
  } else {
    matching = pods;
  }
  if (matching.length === 0) throw new UsageError(nothingMatched(choice, namespace), noMatchHint(pods, namespace));

  const selection: Selection = { targets: [], skipped: [] };
  for (const pod of matching) {
    const container = pickContainer(pod, preferredContainer);
    if (pod.deleting) selection.skipped.push({ pod: pod.name, reason: "the pod is being deleted" });
    else if (pod.phase !== "Running")
      selection.skipped.push({
        pod: pod.name,
        reason: `the pod is ${pod.phase}${pod.waiting ? ` (${pod.waiting})` : ""}, not Running`,
      });
    else if (!container)
      selection.skipped.push({
        pod: pod.name,
        reason: `cannot tell which of its containers (${pod.containers.map((c) => c.name).join(", ")}) runs Flink`,
      });
    else {
      const image = pod.containers.find((c) => c.name === container)?.image ?? "";
      selection.targets.push({
        pod: pod.name,
        container,
        image,
        ...(clusterOf(pod.labels) ? { cluster: clusterOf(pod.labels) } : {}),
        ...(pod.ip ? { ip: pod.ip } : {}),
      });
    }
  }
  if (selection.targets.length === 0) {
    const why = selection.skipped.map((s) => `${s.pod}: ${s.reason}`).join("; ");
    throw new UsageError(
      `no TaskManager can be profiled now (${why})`,
      `check them with \`kubectl get pods -n ${namespace}\``,
    );
  }
  return selection;
}

function nothingMatched(choice: TaskManagerChoice, namespace: string): string {
  if (choice.by === "cluster")
    return `no TaskManager pod of Flink cluster "${choice.cluster}" in namespace "${namespace}"`;
  if (choice.by === "selector") return `no pod matches the selector "${choice.selector}" in namespace "${namespace}"`;
  return `no pod chosen in namespace "${namespace}"`;
}

function noMatchHint(pods: PodInfo[], namespace: string): string {
  const clusters = [...new Set(pods.map((p) => clusterOf(p.labels)).filter((c): c is string => Boolean(c)))].sort();
  if (clusters.length > 0) return `Flink clusters with TaskManagers in "${namespace}": ${clusters.join(", ")}`;
  return `no Flink TaskManager pods are in "${namespace}"; check the namespace (-n) and context (--context), or choose pods with -l or --pod`;
}
