/**
 * The profiling Job, described once: the components store its template, the scripts fill it in.
 *
 *   import { defaultJobTemplate, serializeTemplate, parseTemplate, renderProfilingJob, TEMPLATE_KEY } from "../components/profiling-job.ts";
 *
 *   // components (ProfilingAccess): build once, store under TEMPLATE_KEY in the ConfigMap
 *   // templateConfigMapName(cluster), labelled templateConfigMapLabels(cluster) (profiling-names.ts), in the Flink namespace
 *   const template = defaultJobTemplate({ runnerImage, serviceAccountName, target: { container: "taskmanager", labelSelector } });
 *   const data = { [TEMPLATE_KEY]: serializeTemplate(template) };
 *
 *   // scripts: read it back and make one Job per TaskManager pod
 *   const template = parseTemplate(configMap.data[TEMPLATE_KEY]);
 *   const job = renderProfilingJob(template, { namespace, pod, runId, helperArgs: ["-d", "30", "-e", "cpu"] });
 *   // → a batch/v1 Job object, ready for `kubectl create -f -` or a Kubernetes client
 *
 * The Job's only container runs `kubectl exec … -- <helper> profile --emit-records <helperArgs…>` without a
 * shell: every value is its own argv element (with `$` doubled against the kubelet's `$(VAR)` expansion), and
 * names are checked as DNS-1123 names first. The result
 * files come back as transport records in the Job's log. The exec right lives on the template's service
 * account, so the people who start Jobs need no exec right themselves.
 *
 * Select all profiling Jobs with `app.kubernetes.io/managed-by=flink-profiling`; one run with
 * `flink-profiling/run-id=<id>`; one target with `flink-profiling/target-pod=<podLabelValue(pod)>`.
 */
import { createHash } from "node:crypto";
import type { IJob } from "kubernetes-models/batch/v1";
import type { IPodSecurityContext, ISecurityContext, IResourceRequirements, IToleration } from "kubernetes-models/v1";
import { requireDnsLabel, requireDnsSubdomain } from "./validation.ts";
import { checkTemplate } from "./profiling-job-check.ts";
import { HELPER_COMMAND, JOB_HELPER_ACTION, JOB_HELPER_ACTIONS, JOB_HELPER_FLAGS } from "./helper-contract.ts";

/** The ConfigMap's data key; the value is JSON (which is also YAML). */
export const TEMPLATE_KEY = "job-template.json";
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "flink-profiling" } as const;
export const RUN_ID_LABEL = "flink-profiling/run-id";
export const TARGET_POD_LABEL = "flink-profiling/target-pod";
/** Full pod and container names, which a label value cannot always hold. */
export const TARGET_POD_ANNOTATION = "flink-profiling/target-pod";
export const TARGET_CONTAINER_ANNOTATION = "flink-profiling/target-container";
export const TEMPLATE_VERSION = 1;
/** The helper's name in the profiling image, where it is on PATH (from its contract). */
export { HELPER_COMMAND };

/** Which pods are TaskManagers and which container in them runs the JVM. */
export interface ProfilingTarget {
  /** Container that runs the Flink JVM and has the helper. */
  container: string;
  /** Labels every TaskManager pod carries. */
  labelSelector: Record<string, string>;
  /** The TaskManager pods' names, when they are known in advance (StatefulSets). */
  podNames?: string[];
  /**
   * What every TaskManager pod name starts with, where the names are not known in advance (native mode and
   * the operator: `<cluster-id>-taskmanager-`). ProfilingAdmissionPolicy pins the runner's target to it.
   */
  podNamePrefix?: string;
}

export interface ProfilingJobTemplate {
  version: typeof TEMPLATE_VERSION;
  /** The profiler-runner image (kubectl and a shell), digest-pinned where possible. */
  runnerImage: string;
  /** The account that holds the exec right, created by ProfilingAccess: `<cluster>-profiling-runner` (profiling-names.ts). */
  serviceAccountName: string;
  /** @default "profiler" — the Job's container */
  containerName: string;
  /** @default "flink-profiler" — the helper inside the TaskManager container (on PATH in the image) */
  helperPath: string;
  target: ProfilingTarget;
  /** @default requests 50m CPU / 64Mi, limits 500m CPU / 128Mi: kubectl only relays a log stream */
  resources: IResourceRequirements;
  /** @default the Pod Security "restricted" profile, uid/gid 65532 */
  podSecurityContext: IPodSecurityContext;
  /** @default drop ALL, no privilege escalation, read-only root file system */
  securityContext: ISecurityContext;
  /** @default 900 — long enough for a 10-minute profile plus scheduling and transfer */
  activeDeadlineSeconds: number;
  /** @default 3600 — the logs, and so the results, stay an hour for a retry of the download */
  ttlSecondsAfterFinished: number;
  /** Extra labels on the Job and its pod. */
  labels: Record<string, string>;
  /** @default service-mesh sidecar opt-outs: a sidecar would keep the Job pod from ever completing */
  annotations: Record<string, string>;
  /** @default [] */
  tolerations: IToleration[];
  /** @default {} */
  nodeSelector: Record<string, string>;
  /**
   * Secrets (type kubernetes.io/dockerconfigjson, in the Job's namespace) the kubelet uses to pull runnerImage
   * from a registry that needs a login. Optional in the stored JSON, so templates written before it still read.
   * @default none
   */
  imagePullSecrets?: string[];
}

export type TemplateOptions = Partial<
  Omit<ProfilingJobTemplate, "version" | "runnerImage" | "target" | "serviceAccountName">
> & {
  runnerImage: string;
  target: ProfilingTarget;
  // No default: a fixed name would make two clusters in one namespace share (and destroy) one account.
  serviceAccountName: string;
};

export const SIDECAR_OPT_OUTS: Record<string, string> = {
  "sidecar.istio.io/inject": "false",
  "linkerd.io/inject": "disabled",
  "kuma.io/sidecar-injection": "disabled",
};

export function defaultJobTemplate(options: TemplateOptions): ProfilingJobTemplate {
  const template: ProfilingJobTemplate = {
    version: TEMPLATE_VERSION,
    containerName: "profiler",
    helperPath: HELPER_COMMAND,
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    activeDeadlineSeconds: 900,
    ttlSecondsAfterFinished: 3600,
    labels: {},
    annotations: { ...SIDECAR_OPT_OUTS },
    tolerations: [],
    nodeSelector: {},
    ...options,
  };
  return checkTemplate(template);
}

export function serializeTemplate(template: ProfilingJobTemplate): string {
  return `${JSON.stringify(checkTemplate(template), null, 2)}\n`;
}

/** Reads what serializeTemplate wrote (from the ConfigMap), refusing anything malformed. */
export function parseTemplate(text: string): ProfilingJobTemplate {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`the profiling Job template (${TEMPLATE_KEY}) is not valid JSON: ${(error as Error).message}`);
  }
  return checkTemplate(value);
}

/** What the Job asks the helper to do: `stop` and `status` make the small Jobs that stop a profile or check a TaskManager. */
/** The helper actions a profiling Job may run (the contract's job.actions; the admission policy admits no other). */
export type HelperAction = (typeof JOB_HELPER_ACTIONS)[number];

export interface RenderOptions {
  namespace: string;
  /** The TaskManager pod to profile. */
  pod: string;
  /** @default template.target.container */
  container?: string;
  /** Shared by every Job of one run; the Job is named `flink-profile-<runId>-<hash of pod>`. */
  runId: string;
  /** Arguments for `flink-profiler <action>`, each one argv element. */
  helperArgs: string[];
  /** @default "profile" (the only action whose Job sends files back, with --emit-records) */
  action?: HelperAction;
  /** @default template.activeDeadlineSeconds */
  activeDeadlineSeconds?: number;
}

/** A label value for a pod name: the name itself, or a stable shortened form when it is too long. */
export function podLabelValue(pod: string): string {
  if (pod.length <= 63) return pod;
  const hash = createHash("sha256").update(pod).digest("hex").slice(0, 10);
  return `${pod.slice(0, 52).replace(/[^a-z0-9]+$/, "")}-${hash}`;
}

export function profilingJobName(runId: string, pod: string, action: HelperAction = "profile"): string {
  // One Job per target pod and action in a run: the hash keeps names unique and within 63 characters.
  const hash = createHash("sha256").update(pod).digest("hex").slice(0, 8);
  return `flink-${action}-${runId}-${hash}`;
}

/**
 * The kubelet expands `$(VAR)` in a container's command and turns `$$` into `$`; doubling every `$`
 * makes each value (a filter, an asprof option) reach the helper exactly as given.
 */
export function kubeletLiteral(value: string): string {
  return value.replaceAll("$", () => "$$");
}

export function renderProfilingJob(template: ProfilingJobTemplate, options: RenderOptions): IJob {
  const t = checkTemplate(template);
  const namespace = requireDnsLabel("namespace", options.namespace);
  const pod = requireDnsSubdomain("pod", options.pod);
  const container = requireDnsLabel("container", options.container ?? t.target.container);
  const runId = requireDnsLabel("runId", options.runId);
  if (runId.length > 40) throw new Error(`runId must be at most 40 characters; got ${runId.length}`);
  if (
    !Array.isArray(options.helperArgs) ||
    !options.helperArgs.every((a) => typeof a === "string" && !a.includes("\0"))
  ) {
    throw new Error("helperArgs must be an array of strings without NUL characters");
  }
  const deadline = options.activeDeadlineSeconds ?? t.activeDeadlineSeconds;
  if (!Number.isInteger(deadline) || deadline < 1)
    throw new Error(`activeDeadlineSeconds must be a positive whole number; got ${deadline}`);

  const labels = { ...t.labels, ...MANAGED_BY, [RUN_ID_LABEL]: runId, [TARGET_POD_LABEL]: podLabelValue(pod) };
  const annotations = { ...t.annotations, [TARGET_POD_ANNOTATION]: pod, [TARGET_CONTAINER_ANNOTATION]: container };
  const action = options.action ?? "profile";
  if (!(JOB_HELPER_ACTIONS as readonly string[]).includes(action))
    throw new Error(`action must be one of ${JOB_HELPER_ACTIONS.join(", ")}; got ${String(action)}`);
  const command = [
    "kubectl",
    "exec",
    "--namespace",
    namespace,
    pod,
    "--container",
    container,
    "--",
    t.helperPath,
    action,
    ...(action === JOB_HELPER_ACTION ? JOB_HELPER_FLAGS : []),
    ...options.helperArgs,
  ].map(kubeletLiteral);

  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: profilingJobName(runId, pod, action), namespace, labels, annotations },
    spec: {
      // A retry would start a second profile of the same JVM; the scripts decide whether to try again.
      backoffLimit: 0,
      activeDeadlineSeconds: deadline,
      ttlSecondsAfterFinished: t.ttlSecondsAfterFinished,
      template: {
        metadata: { labels, annotations },
        spec: {
          serviceAccountName: t.serviceAccountName,
          // This pod, and only this pod, needs the token: kubectl uses it for the exec.
          automountServiceAccountToken: true,
          restartPolicy: "Never",
          enableServiceLinks: false,
          securityContext: t.podSecurityContext,
          ...(t.tolerations.length > 0 ? { tolerations: t.tolerations } : {}),
          ...(Object.keys(t.nodeSelector).length > 0 ? { nodeSelector: t.nodeSelector } : {}),
          ...(t.imagePullSecrets?.length ? { imagePullSecrets: t.imagePullSecrets.map((name) => ({ name })) } : {}),
          containers: [
            {
              name: t.containerName,
              image: t.runnerImage,
              command,
              // kubectl keeps a discovery cache under $HOME; the root file system is read-only.
              env: [{ name: "HOME", value: "/tmp" }],
              resources: t.resources,
              securityContext: t.securityContext,
              terminationMessagePolicy: "FallbackToLogsOnError",
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "16Mi" } }],
        },
      },
    },
  };
}
