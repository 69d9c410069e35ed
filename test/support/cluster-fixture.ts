// A Flink "cluster" for the cluster-profiler tests: real TaskManager JVMs (startLocalFlink), the
// Kubernetes API stand-in, one fake TaskManager pod per JVM whose exec'd commands reach that JVM
// through the real helper and async-profiler, and the profiling Job template the components store.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { clusterLabels, type FlinkClusterSpec } from "../../components/flink-manifests.ts";
import { TEMPLATE_KEY, defaultJobTemplate, serializeTemplate } from "../../components/profiling-job.ts";
import {
  LEGACY_TEMPLATE_CONFIGMAP_NAME,
  TEMPLATE_CONFIGMAP_LABELS,
  profilingObjectNames,
  templateConfigMapLabels,
} from "../../components/profiling-names.ts";
import { asyncProfilerHome, helperPath } from "../../scripts/lib/helper-events.ts";
import { startStandin, type Standin, type StandinOptions } from "../k8s-standin/index.ts";

export const NAMESPACE = "flink";
export const CLUSTER = "orders";
export const repoRoot = path.resolve(import.meta.dirname, "../..");

export interface FakeTaskManager {
  pod: string;
  pid: number;
  /** Overrides for the pod's container env (e.g. a PATH without the helper). */
  env?: Record<string, string>;
}

export function taskManagerPod(tm: FakeTaskManager, outputDir: string) {
  const env = {
    PATH: `${path.dirname(helperPath())}:${process.env.PATH}`,
    ASYNC_PROFILER_HOME: asyncProfilerHome(),
    FLINK_PROFILER_PID: String(tm.pid),
    FLINK_PROFILER_OUTPUT_DIR: outputDir,
    ...tm.env,
  };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: tm.pod,
      namespace: NAMESPACE,
      labels: clusterLabels({ name: CLUSTER } as FlinkClusterSpec, "taskmanager"),
    },
    spec: {
      containers: [
        {
          name: "taskmanager",
          image: "flink:2.3.0-java17",
          env: Object.entries(env).map(([name, value]) => ({ name, value })),
        },
      ],
    },
  };
}

/** The names ProfilingAccess gives cluster `orders`'s objects: its service account is the Jobs' identity. */
export const NAMES = profilingObjectNames(CLUSTER);

/**
 * The template ConfigMap as ProfilingAccess stores it for `cluster`; `legacy` writes it the way it was
 * stored before names were derived (one fixed name, no cluster label, service account flink-profiler).
 */
export function templateConfigMap(runnerImage = "flink-profiling-runner:1", cluster = CLUSTER, legacy = false) {
  const names = profilingObjectNames(cluster);
  const serviceAccountName = legacy ? "flink-profiler" : names.serviceAccount;
  const template = defaultJobTemplate({
    runnerImage,
    serviceAccountName,
    target: {
      container: "taskmanager",
      labelSelector: clusterLabels({ name: cluster } as FlinkClusterSpec, "taskmanager"),
    },
  });
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: legacy
      ? { name: LEGACY_TEMPLATE_CONFIGMAP_NAME, namespace: NAMESPACE, labels: { ...TEMPLATE_CONFIGMAP_LABELS } }
      : { name: names.templateConfigMap, namespace: NAMESPACE, labels: templateConfigMapLabels(cluster) },
    data: { [TEMPLATE_KEY]: serializeTemplate(template) },
  };
}

export interface ClusterFixture {
  k8s: Standin;
  dir: string;
  kubeconfig: string;
  close(): Promise<void>;
}

/** Stand-in with namespace, template and TaskManager pods; `user` is who runs profile.mjs. */
export async function startClusterFixture(
  tms: FakeTaskManager[],
  opts: StandinOptions & { template?: boolean; user?: string } = {},
): Promise<ClusterFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), "cluster-profile-"));
  const k8s = await startStandin({ namespaces: [NAMESPACE], ...opts });
  const kubeconfig = k8s.writeKubeconfig(path.join(dir, "kubeconfig.json"), {
    namespace: NAMESPACE,
    user: opts.user ?? "alice",
    contexts: [{ name: "other", namespace: "default" }],
  });
  if (opts.template ?? true) k8s.create(templateConfigMap());
  // Where the JVMs write inside their "containers" before the helper sends the files back.
  mkdirSync(path.join(dir, "in-pod"));
  for (const tm of tms) k8s.create(taskManagerPod(tm, path.join(dir, "in-pod")));
  return {
    k8s,
    dir,
    kubeconfig,
    async close() {
      await k8s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node scripts/profile.mjs ARGS`, as a user would run it. */
export async function runProfileCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [path.join(repoRoot, "scripts/profile.mjs"), ...args],
      { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : null, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** Kinds of objects the run may leave behind. */
export function leftovers(k8s: Standin): string[] {
  return [
    ...k8s.list("batch/v1", "Job", NAMESPACE),
    ...k8s.list("v1", "Pod", NAMESPACE).filter((p) => p.metadata.labels?.["flink-profiling/run-id"]),
  ]
    .filter((o) => !o.metadata.deletionTimestamp)
    .map((o) => `${o.kind}/${o.metadata.name}`);
}
