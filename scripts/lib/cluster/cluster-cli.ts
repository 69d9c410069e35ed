// The cluster half of profile.mjs's command line: parsed values in, a validated command out. Pure.
// Validation happens here, before any kubectl call, so bad input never creates anything.
import { isDnsLabel, isDnsSubdomain } from "../../../components/validation.ts";
import { UsageError, decimalIn, type ProfileSettings } from "../profile-options.ts";
import type { ClusterOperatorTarget } from "../flink-rest/operators-cli.ts";
import { DEFAULT_MAX_FILE_BYTES } from "../transport-limits.ts";

/** kubectl's own connection flags, passed through unchanged. */
export interface KubeTarget {
  context?: string;
  kubeconfig?: string;
  /** Absent: the context's namespace, as kubectl does it. */
  namespace?: string;
}

/** Exactly one way of choosing TaskManagers. */
export type TaskManagerChoice =
  | { by: "cluster"; cluster: string }
  | { by: "selector"; selector: string }
  | { by: "pods"; pods: string[] };

export type Via = "job" | "exec";

export interface ClusterCommand {
  kind: "cluster";
  /** --operator: profile the pods of this operator's busiest subtasks, and slice to its threads. */
  operator?: ClusterOperatorTarget;
  kube: KubeTarget;
  choice: TaskManagerChoice;
  settings: ProfileSettings;
  outputDir: string;
  json: boolean;
  /** Keep the Jobs (and so their logs) after a successful run. */
  keep: boolean;
  dryRun: boolean;
  via: Via;
  /** @default 32 — Jobs (or execs) running at once */
  concurrency: number;
  /** @default 120 — seconds a Job's pod may take to start (scheduling, image pull) before we give up */
  startTimeout: number;
  /** @default 8 — MiB of records a Job's log may carry; the helper refuses a larger result up front */
  maxResultMiB: number;
  /** @default 256 — MiB a profile file may be once decoded; a larger one is refused unread */
  maxFileMiB: number;
}

export interface CleanupCommand {
  kind: "cleanup";
  kube: KubeTarget;
  /** Absent: every profiling Job in the namespace. */
  runId?: string;
  dryRun: boolean;
}

export interface DoctorCommand {
  kind: "doctor";
  kube: KubeTarget;
  choice?: TaskManagerChoice;
  via: Via;
  /** --flink-rest: also check whether --via rest (Flink's built-in profiler) can work there. */
  restUrl?: string;
  /** False for `doctor --flink-rest URL` alone: the Kubernetes checks are skipped. */
  kubernetes?: boolean;
}

export const DEFAULT_CONCURRENCY = 32;
export const MAX_CONCURRENCY = 256;

/** The flags parseArgs must know for the cluster mode. */
export const CLUSTER_OPTIONS = {
  namespace: { type: "string", short: "n" },
  cluster: { type: "string" },
  selector: { type: "string", short: "l" },
  pod: { type: "string", multiple: true },
  context: { type: "string" },
  kubeconfig: { type: "string" },
  keep: { type: "boolean" },
  "dry-run": { type: "boolean" },
  via: { type: "string" },
  concurrency: { type: "string" },
  "start-timeout": { type: "string" },
  "max-result-mib": { type: "string" },
  "max-file-mib": { type: "string" },
  run: { type: "string" },
} as const;

export interface ClusterValues {
  namespace?: string;
  cluster?: string;
  selector?: string;
  pod?: string[];
  context?: string;
  kubeconfig?: string;
  keep?: boolean;
  "dry-run"?: boolean;
  via?: string;
  concurrency?: string;
  "start-timeout"?: string;
  "max-result-mib"?: string;
  "max-file-mib"?: string;
  run?: string;
}

/** True when any cluster-only flag was given (so --local with them is a mistake). */
export function hasClusterFlags(v: ClusterValues): boolean {
  return Object.values(v).some((x) => x !== undefined);
}

export function parseKubeTarget(v: ClusterValues): KubeTarget {
  const kube: KubeTarget = {};
  if (v.namespace !== undefined) {
    if (!isDnsLabel(v.namespace)) {
      throw new UsageError(
        `namespace "${v.namespace}" is not a valid Kubernetes namespace name`,
        "use lower-case letters, digits and '-', e.g. -n flink",
      );
    }
    kube.namespace = v.namespace;
  }
  if (v.context !== undefined)
    kube.context = nonEmpty("--context", v.context, "name a context from `kubectl config get-contexts`");
  if (v.kubeconfig !== undefined)
    kube.kubeconfig = nonEmpty("--kubeconfig", v.kubeconfig, "give the path of a kubeconfig file");
  return kube;
}

export function parseChoice(v: ClusterValues, required: boolean): TaskManagerChoice | undefined {
  const given = [v.cluster !== undefined, v.selector !== undefined, (v.pod ?? []).length > 0].filter(Boolean).length;
  if (given > 1) {
    throw new UsageError(
      "--cluster, -l/--selector and --pod choose TaskManagers in different ways",
      "give only one of them",
    );
  }
  if (v.cluster !== undefined) {
    if (!isDnsLabel(v.cluster)) {
      throw new UsageError(
        `cluster name "${v.cluster}" is not a valid Flink cluster id`,
        "use the FlinkDeployment's or StatefulSet's name, e.g. --cluster orders",
      );
    }
    return { by: "cluster", cluster: v.cluster };
  }
  if (v.selector !== undefined) {
    const selector = nonEmpty(
      "-l/--selector",
      v.selector,
      "use a label selector, e.g. -l app=orders,component=taskmanager",
    );
    if (/[\n\r]/.test(selector))
      throw new UsageError("the label selector spans several lines", "write it on one line, e.g. -l app=orders");
    return { by: "selector", selector };
  }
  if (v.pod && v.pod.length > 0) {
    for (const pod of v.pod) {
      if (!isDnsSubdomain(pod))
        throw new UsageError(`"${pod}" is not a valid pod name`, "copy the name from `kubectl get pods`");
    }
    return { by: "pods", pods: [...new Set(v.pod)] };
  }
  if (required) {
    throw new UsageError("no TaskManagers chosen", "add --cluster NAME, -l SELECTOR or --pod NAME (see --help)");
  }
  return undefined;
}

export function parseVia(value: string | undefined): Via {
  if (value === undefined) return "job";
  if (value === "job" || value === "exec") return value;
  throw new UsageError(
    `--via "${value}" is not known`,
    "use --via job (the pre-wired Job, the default), --via exec (your own kubectl exec right) or --via rest --flink-rest URL (Flink's built-in profiler)",
  );
}

export function parseConcurrency(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  const n = decimalIn(value, 1, MAX_CONCURRENCY);
  if (n === undefined) {
    throw new UsageError(`--concurrency "${value}" is out of range`, `use a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
  return n;
}

export const DEFAULT_START_TIMEOUT = 120;

export function parseStartTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_START_TIMEOUT;
  const n = decimalIn(value, 1, 3600);
  if (n === undefined) {
    throw new UsageError(
      `--start-timeout "${value}" is out of range`,
      "use whole seconds from 1 to 3600, e.g. --start-timeout 300 for a slow autoscaler",
    );
  }
  return n;
}

/**
 * A Job's result travels in its container log, which the kubelet rotates at containerLogMaxSize (10 MiB
 * unless the cluster changed it). `kubectl logs` of a finished pod returns only the newest file, and a
 * follower that falls behind by a whole file loses one; so the result must fit in one file, with room
 * for the progress lines. The helper measures the encoded result before it sends any of it.
 */
export const DEFAULT_MAX_RESULT_MIB = 8;
export const MIB = 1024 * 1024;

export function parseMaxResultMiB(value: string | undefined, via: Via): number {
  if (value === undefined) return DEFAULT_MAX_RESULT_MIB;
  if (via === "exec") {
    throw new UsageError(
      "--max-result-mib limits what a profiling Job's log carries; --via exec streams without one",
      "drop --max-result-mib, or use --via job",
    );
  }
  const n = decimalIn(value, 1, 1024);
  if (n === undefined) {
    throw new UsageError(
      `--max-result-mib "${value}" is out of range`,
      "use whole MiB from 1 to 1024, below your kubelet's containerLogMaxSize (10 MiB by default)",
    );
  }
  return n;
}

/**
 * What this machine accepts from a TaskManager, whatever its helper sends: a file's declared and decoded
 * size, and so what a profile's stream may carry (cluster/log-limits.ts). The default is
 * DEFAULT_MAX_FILE_BYTES; the decoder holds about twice a file's size while it checks it, so the range
 * stops at 1 GiB.
 */
export const DEFAULT_MAX_FILE_MIB = DEFAULT_MAX_FILE_BYTES / MIB;
export const MAX_MAX_FILE_MIB = 1024;

export function parseMaxFileMiB(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_FILE_MIB;
  const n = decimalIn(value, 1, MAX_MAX_FILE_MIB);
  if (n === undefined) {
    throw new UsageError(
      `--max-file-mib "${value}" is out of range`,
      `use whole MiB from 1 to ${MAX_MAX_FILE_MIB} (default ${DEFAULT_MAX_FILE_MIB}), e.g. --max-file-mib 512 for a long jfr recording`,
    );
  }
  return n;
}

export function parseRunId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isDnsLabel(value) || value.length > 40) {
    throw new UsageError(
      `run id "${value}" is not a run id`,
      "copy it from the run's output or `kubectl get jobs -L flink-profiling/run-id`",
    );
  }
  return value;
}

function nonEmpty(flag: string, value: string, hint: string): string {
  if (value.trim() === "") throw new UsageError(`${flag} is empty`, hint);
  return value;
}
