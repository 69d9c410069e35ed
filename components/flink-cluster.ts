/**
 * FlinkCluster: a standalone Flink session cluster whose TaskManagers can be profiled at any moment,
 * with a ProfilingAccess child wired to exactly its TaskManager pods. The objects themselves are built
 * by flink-manifests.ts; this file checks the arguments and turns the objects into resources.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { configFileName, type FlinkSettings } from "./flink-config.ts";
import { DEFAULT_FLINK_VERSION, parseFlinkVersion } from "./flink-versions.ts";
import { requireStartableMemory, SIZING_OPTIONS } from "./flink-memory.ts";
import {
  clusterLabels,
  configMap,
  flinkSettings,
  jobManagerDeployment,
  services,
  taskManagerPodNames,
  taskManagerStatefulSet,
  TASKMANAGER_CONTAINER,
  type FlinkClusterSpec,
} from "./flink-manifests.ts";
import { ProfilingAccess, type ProfilingAccessArgs } from "./profiling-access.ts";
import type { ProfilingTarget } from "./profiling-job.ts";
import { peopleSubjects } from "./rbac.ts";
import { customTarget } from "./targets.ts";
import { requireDnsLabel, requireImageReference, requireIntegerInRange, requireSecretNames } from "./validation.ts";

/**
 * The size of the JobManager or the TaskManagers (requests = limits). A named interface, not an inline type,
 * so that the component package (pulumi-package/) can describe it in its schema.
 */
export interface ProcessResources {
  /** A CPU quantity such as "500m" or "2". */
  cpu?: string;
  /** The container's memory limit in MiB, which is also Flink's `*.memory.process.size`. */
  memoryMiB?: number;
}

/**
 * FlinkCluster's arguments that every language shares: the component package (pulumi-package/) builds its
 * schema from this interface, which is why it is separate (an `Omit<>` of FlinkClusterArgs would reach the
 * package's analyzer without its property types).
 */
export interface FlinkClusterSharedArgs {
  /** @default "default" — must exist; the example program creates it */
  namespace?: string;
  /** A version from components/flink-versions.ts, or a patch version of one. @default DEFAULT_FLINK_VERSION */
  flinkVersion?: string;
  /**
   * The Flink image. @default `flink:<flinkVersion>` — the official image runs, and Flink's own REST
   * profiler works from 1.19, but `flink-profiler` needs ProfilingImage.flinkImage.
   */
  image?: pulumi.Input<string>;
  /** @default 2 */
  taskManagers?: number;
  /** @default 2 */
  slotsPerTaskManager?: number;
  /**
   * `memoryMiB` is the container limit and Flink's `jobmanager.memory.process.size`; Flink's memory model sets
   * the floor (577 MiB with its defaults; the error names the floor for your flinkConfig). @default { cpu: "1", memoryMiB: 1600 }
   */
  jobManager?: ProcessResources;
  /** Likewise `taskmanager.memory.process.size`; at least 982 MiB with Flink's defaults. @default { cpu: "1", memoryMiB: 2048 } */
  taskManager?: ProcessResources;
  /** @default "512Mi" — the emptyDir where profiles are written */
  profilesSizeLimit?: string;
  /** The profiler-runner image for the profiling Job (ProfilingImage.runnerImage). */
  runnerImage: pulumi.Input<string>;
  /** Who may profile. @default [] */
  users?: string[];
  /** @default [] */
  groups?: string[];
  /**
   * Secrets (kubernetes.io/dockerconfigjson, in `namespace`) for registries that need a login: used by the
   * JobManager and TaskManager pods and by the profiling Job's pod. @default []
   */
  imagePullSecrets?: string[];
}

export interface FlinkClusterArgs extends FlinkClusterSharedArgs {
  /** More Flink options, written into the config file. JVM options are combined with the profiling flags. @default {} */
  flinkConfig?: FlinkSettings;
  /** Passed to ProfilingAccess. */
  jobTemplate?: ProfilingAccessArgs["jobTemplate"];
}

const CPU = /^([1-9][0-9]*m|[0-9]+(\.[0-9]+)?)$/;

/** Applies the defaults and checks every argument; throws before anything is created. */
export function resolveClusterSpec(name: string, args: FlinkClusterArgs): FlinkClusterSpec {
  requireDnsLabel("FlinkCluster name", name);
  if (name.length > 40)
    throw new Error(`FlinkCluster name must be at most 40 characters (pod names derive from it); got ${name.length}`);
  const version = parseFlinkVersion(args.flinkVersion ?? DEFAULT_FLINK_VERSION);
  const jm = { cpu: "1", memoryMiB: 1600, ...args.jobManager };
  const tm = { cpu: "1", memoryMiB: 2048, ...args.taskManager };
  for (const [what, r] of [
    ["jobManager", jm],
    ["taskManager", tm],
  ] as const) {
    if (!CPU.test(r.cpu))
      throw new Error(`${what}.cpu must be a CPU quantity such as "500m" or "2"; got ${JSON.stringify(r.cpu)}`);
    // The real lower bound is Flink's memory model, checked below on the rendered configuration.
    requireIntegerInRange(`${what}.memoryMiB`, r.memoryMiB, 1, 1_048_576);
  }
  for (const key of SIZING_OPTIONS) {
    if (args.flinkConfig && key in args.flinkConfig) {
      throw new Error(
        `flinkConfig must not set ${key}: FlinkCluster sizes each process from taskManager.memoryMiB / jobManager.memoryMiB (its container limit) and Flink derives the rest; set those instead`,
      );
    }
  }
  const image = args.image ?? `flink:${version.id}`;
  const spec: FlinkClusterSpec = {
    name,
    namespace: requireDnsLabel("namespace", args.namespace ?? "default"),
    version,
    image: typeof image === "string" ? requireImageReference("image", image) : "image.invalid/pending:0",
    taskManagers: requireIntegerInRange("taskManagers", args.taskManagers ?? 2, 1, 1000),
    slotsPerTaskManager: requireIntegerInRange("slotsPerTaskManager", args.slotsPerTaskManager ?? 2, 1, 1024),
    jobManager: jm,
    taskManager: tm,
    profilesSizeLimit: args.profilesSizeLimit ?? "512Mi",
    extraConfig: args.flinkConfig ?? {},
    imagePullSecrets: requireSecretNames("imagePullSecrets", args.imagePullSecrets ?? []),
  };
  requireStartableMemory(flinkSettings(spec), tm.memoryMiB, jm.memoryMiB);
  return spec;
}

/** The type token of FlinkCluster, here and in the component package (pulumi-package/). */
export const FLINK_CLUSTER_TYPE = "flink-profiling:index:FlinkCluster";

/** What FlinkCluster has checked before it registers: a bad argument throws here and creates nothing. */
export interface FlinkClusterPlan {
  name: string;
  args: FlinkClusterArgs;
  spec: FlinkClusterSpec;
  target: ProfilingTarget;
}

/** Checks every argument of a FlinkCluster named `name`, before anything is registered. */
export function planFlinkCluster(name: string, args: FlinkClusterArgs): FlinkClusterPlan {
  const spec = resolveClusterSpec(name, args);
  // Rendering once here runs every config and volume check before anything is registered.
  configMap(spec);
  jobManagerDeployment(spec);
  taskManagerStatefulSet(spec);
  services(spec);
  const target = customTarget(TASKMANAGER_CONTAINER, clusterLabels(spec, "taskmanager"), taskManagerPodNames(spec));
  if (args.runnerImage === undefined) throw new Error("runnerImage is required (ProfilingImage.runnerImage)");
  if (typeof args.runnerImage === "string") requireImageReference("runnerImage", args.runnerImage);
  peopleSubjects(args.users, args.groups);
  return { name, args, spec, target };
}

/** What a FlinkCluster exposes, the same for the TypeScript class and the component package's. */
export interface FlinkClusterParts {
  namespace: string;
  configFileName: string;
  restServiceName: string;
  taskManagerPodNames: string[];
  access: ProfilingAccess;
}

/**
 * Creates a planned FlinkCluster's resources as children of `parent`, the component that registered the
 * type token. The one place they are made: the TypeScript FlinkCluster and the component package's
 * FlinkCluster both call it, so the two cannot drift apart.
 */
export function buildFlinkCluster(parent: pulumi.ComponentResource, plan: FlinkClusterPlan): FlinkClusterParts {
  const { name, args, spec, target } = plan;
  const opts = { parent };
  // Only the pod specs depend on the image, which may be an output of ProfilingImage.
  const withImage = pulumi.output(args.image ?? spec.image).apply((image) => {
    requireImageReference("image", image);
    return { ...spec, image };
  });
  const jm = jobManagerDeployment(spec);
  const tm = taskManagerStatefulSet(spec);
  const config = new k8s.core.v1.ConfigMap(`${name}-config`, configMap(spec) as k8s.core.v1.ConfigMapArgs, opts);
  for (const svc of services(spec)) {
    new k8s.core.v1.Service(svc.metadata!.name!, svc as k8s.core.v1.ServiceArgs, opts);
  }
  new k8s.apps.v1.Deployment(
    `${name}-jobmanager`,
    {
      metadata: jm.metadata,
      spec: withImage.apply((s) => jobManagerDeployment(s).spec),
    } as unknown as k8s.apps.v1.DeploymentArgs,
    { ...opts, dependsOn: [config] },
  );
  new k8s.apps.v1.StatefulSet(
    `${name}-taskmanager`,
    {
      metadata: tm.metadata,
      spec: withImage.apply((s) => taskManagerStatefulSet(s).spec),
    } as unknown as k8s.apps.v1.StatefulSetArgs,
    { ...opts, dependsOn: [config] },
  );

  const access = new ProfilingAccess(
    `${name}-profiling`,
    {
      namespace: spec.namespace,
      cluster: name,
      target,
      runnerImage: args.runnerImage,
      users: args.users,
      groups: args.groups,
      jobTemplate: args.jobTemplate,
      imagePullSecrets: spec.imagePullSecrets,
    },
    opts,
  );
  return {
    namespace: spec.namespace,
    configFileName: configFileName(spec.version),
    restServiceName: `${name}-rest`,
    taskManagerPodNames: taskManagerPodNames(spec),
    access,
  };
}

export class FlinkCluster extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly configFileName: string;
  readonly restServiceName: string;
  readonly taskManagerPodNames: string[];
  readonly access: ProfilingAccess;

  constructor(name: string, args: FlinkClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planFlinkCluster(name, args);
    super(FLINK_CLUSTER_TYPE, name, {}, opts);
    const parts = buildFlinkCluster(this, plan);
    this.namespace = parts.namespace;
    this.configFileName = parts.configFileName;
    this.restServiceName = parts.restServiceName;
    this.taskManagerPodNames = parts.taskManagerPodNames;
    this.access = parts.access;
    this.registerOutputs({
      namespace: this.namespace,
      configFileName: this.configFileName,
      restServiceName: this.restServiceName,
      taskManagerPodNames: this.taskManagerPodNames,
    });
  }
}
