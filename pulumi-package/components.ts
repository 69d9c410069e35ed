/**
 * The components as the Pulumi component package offers them to other languages (Python, Go, C#, YAML).
 *
 * @pulumi/pulumi's component provider host builds the package schema from TypeScript source: each class's
 * constructor `args` interface becomes the inputs, its public fields the outputs. It accepts named interfaces,
 * strings, numbers, booleans, arrays, string maps, `pulumi.Input`/`Output` and enums written as objects of
 * constants; it refuses union types, inline object types and fields that are resources of this same package.
 *
 * - ProfilingImage and ProfilingAdmissionPolicy are offered as they are: their arguments fit.
 * - FlinkCluster and ProfilingAccess get a class of the same name here, because two of their TypeScript
 *   arguments are richer than a schema can say (`flinkConfig` values may be strings, numbers or booleans;
 *   `jobTemplate` takes kubernetes-models types with unions) and FlinkCluster's `access` output is a resource.
 *   Each takes the same arguments with those two in a schema-friendly form, then runs the TypeScript
 *   component's own checks and resource code (planFlinkCluster/buildFlinkCluster, planProfilingAccess/
 *   buildProfilingAccess): no logic is repeated, and only one resource registers each type token.
 *
 * The analyzer finds a component by class name, walking imports breadth-first from provider.ts: the classes
 * below are met before the TypeScript ones of the same name, which are one import further away.
 */
import * as pulumi from "@pulumi/pulumi";
import type { IToleration } from "kubernetes-models/v1";
import {
  FLINK_CLUSTER_TYPE,
  buildFlinkCluster,
  planFlinkCluster,
  type FlinkClusterArgs as TypeScriptFlinkClusterArgs,
  type FlinkClusterSharedArgs,
} from "../components/flink-cluster.ts";
import {
  PROFILING_ACCESS_TYPE,
  buildProfilingAccess,
  planProfilingAccess,
  type ProfilingAccessSharedArgs,
} from "../components/profiling-access.ts";
import { ProfilingAdmissionPolicy } from "../components/profiling-admission-policy.ts";
import { ProfilingImage } from "../components/profiling-image.ts";

export { ProfilingAdmissionPolicy, ProfilingImage };

/** Requests and limits of the profiling Job's container, e.g. `{ cpu: "50m", memory: "64Mi" }`. */
export interface JobResources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/** A Kubernetes toleration of the profiling Job's pod; the API server checks operator and effect. */
export interface JobToleration {
  key?: string;
  /** Equal, Exists, Lt or Gt. */
  operator?: string;
  value?: string;
  /** NoSchedule, PreferNoSchedule or NoExecute. */
  effect?: string;
  tolerationSeconds?: number;
}

/**
 * What may be changed in the profiling Job's template. The security contexts are not offered here: they stay
 * Pod Security "restricted", as ProfilingAdmissionPolicy expects them.
 */
export interface JobTemplateArgs {
  /** The Job's container name. */
  containerName?: string;
  /** The helper inside the TaskManager container. */
  helperPath?: string;
  /** Requests and limits of the Job's container. */
  resources?: JobResources;
  /** How long a profiling Job may run, in seconds. */
  activeDeadlineSeconds?: number;
  /** How long a finished Job (and so its result in the log) is kept, in seconds. */
  ttlSecondsAfterFinished?: number;
  /** Extra labels on the Job and its pod. */
  labels?: Record<string, string>;
  /** Annotations on the Job and its pod (replacing the service-mesh sidecar opt-outs). */
  annotations?: Record<string, string>;
  tolerations?: JobToleration[];
  nodeSelector?: Record<string, string>;
}

/** The TypeScript components' `jobTemplate` for the package's. */
function jobTemplate(args: JobTemplateArgs | undefined): TypeScriptFlinkClusterArgs["jobTemplate"] {
  if (args === undefined) return undefined;
  const { tolerations, ...rest } = args;
  // Operator and effect are enums in kubernetes-models; the API server refuses other values. An absent key
  // stays absent: an explicit undefined would replace the template's default.
  return tolerations === undefined ? rest : { ...rest, tolerations: tolerations as IToleration[] };
}

/** FlinkCluster's arguments (components/flink-cluster.ts documents each), two of them in a schema-friendly form. */
export interface FlinkClusterPackageArgs extends FlinkClusterSharedArgs {
  /**
   * More Flink options, written into Flink's config.yaml; JVM options are combined with the profiling flags.
   * Values are strings here ("4", "true"); Flink converts them to each option's type.
   */
  flinkConfig?: Record<string, string>;
  /** Passed to the cluster's ProfilingAccess. */
  jobTemplate?: JobTemplateArgs;
}

/**
 * A standalone Flink session cluster on Kubernetes whose TaskManagers can be profiled with async-profiler at any
 * moment: ConfigMap, JobManager Deployment, Services, TaskManager StatefulSet and the cluster's ProfilingAccess.
 */
export class FlinkCluster extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly configFileName: string;
  /** The Service in front of Flink's REST API and web UI (port 8081). */
  readonly restServiceName: string;
  readonly taskManagerPodNames: string[];
  /** What `profile.mjs --cluster NAME` reads: the cluster's Job template. */
  readonly templateConfigMapName: string;
  /** The runner service account that holds the exec right. */
  readonly runnerServiceAccountName: string;
  /** The Job template as stored, JSON: ProfilingAdmissionPolicy's `templateJson`. */
  readonly templateJson: pulumi.Output<string>;

  constructor(name: string, args: FlinkClusterPackageArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planFlinkCluster(name, { ...args, jobTemplate: jobTemplate(args.jobTemplate) });
    super(FLINK_CLUSTER_TYPE, name, {}, opts);
    const parts = buildFlinkCluster(this, plan);
    this.namespace = parts.namespace;
    this.configFileName = parts.configFileName;
    this.restServiceName = parts.restServiceName;
    this.taskManagerPodNames = parts.taskManagerPodNames;
    this.templateConfigMapName = parts.access.templateConfigMapName;
    this.runnerServiceAccountName = parts.access.serviceAccountName;
    this.templateJson = parts.access.templateJson;
    this.registerOutputs({
      namespace: this.namespace,
      configFileName: this.configFileName,
      restServiceName: this.restServiceName,
      taskManagerPodNames: this.taskManagerPodNames,
      templateConfigMapName: this.templateConfigMapName,
      runnerServiceAccountName: this.runnerServiceAccountName,
      templateJson: this.templateJson,
    });
  }
}

/** ProfilingAccess's arguments (components/profiling-access.ts documents each), `jobTemplate` in a schema-friendly form. */
export interface ProfilingAccessPackageArgs extends ProfilingAccessSharedArgs {
  /** Passed into the Job template. */
  jobTemplate?: JobTemplateArgs;
}

/**
 * Profiling access to the TaskManagers of any Flink deployment (Flink Kubernetes Operator, native Kubernetes
 * mode): the runner service account with an exec-only Role, the people's Role without exec, the Job template.
 */
export class ProfilingAccess extends pulumi.ComponentResource {
  /** The Flink cluster this access is for (`--cluster NAME`). */
  readonly cluster: string;
  readonly serviceAccountName: string;
  readonly templateConfigMapName: string;
  readonly runnerRoleName: string;
  readonly profilerRoleName: string;
  /** The template as stored, JSON. */
  readonly templateJson: pulumi.Output<string>;

  constructor(name: string, args: ProfilingAccessPackageArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planProfilingAccess(name, { ...args, jobTemplate: jobTemplate(args.jobTemplate) });
    super(PROFILING_ACCESS_TYPE, name, {}, opts);
    const parts = buildProfilingAccess(this, plan);
    this.cluster = parts.cluster;
    this.serviceAccountName = parts.serviceAccountName;
    this.templateConfigMapName = parts.templateConfigMapName;
    this.runnerRoleName = parts.runnerRoleName;
    this.profilerRoleName = parts.profilerRoleName;
    this.templateJson = parts.templateJson;
    this.registerOutputs({
      cluster: this.cluster,
      serviceAccountName: this.serviceAccountName,
      templateConfigMapName: this.templateConfigMapName,
      templateJson: this.templateJson,
    });
  }
}

/** The package's name (its schema's and every type token's first part). */
export const PACKAGE_NAME = "flink-profiling";

/** Every component the package serves. */
export const components = [FlinkCluster, ProfilingAccess, ProfilingAdmissionPolicy, ProfilingImage];
