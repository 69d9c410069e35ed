/**
 * ProfilingAccess: what lets people profile TaskManagers without exec rights of their own, for any Flink
 * deployment (this repo's FlinkCluster, the Flink Kubernetes Operator, native Kubernetes mode).
 *
 * Creates, in one namespace and nothing cluster-scoped: the runner ServiceAccount and its exec-only Role,
 * the people's Role (Jobs, pods, logs, the template; no exec) bound to the given users and groups, and
 * the pre-wired Job template in a ConfigMap (see profiling-job.ts). Every object is named after the Flink
 * cluster (profiling-names.ts), so several clusters can share a namespace.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  defaultJobTemplate,
  serializeTemplate,
  TEMPLATE_KEY,
  MANAGED_BY,
  type ProfilingTarget,
  type TemplateOptions,
} from "./profiling-job.ts";
import { clusterFromLabels, profilingObjectNames, templateConfigMapLabels } from "./profiling-names.ts";
import { peopleSubjects, profilerRules, runnerRules } from "./rbac.ts";
import {
  requireDnsLabel,
  requireDnsSubdomain,
  requireImageReference,
  requireLabels,
  requireSecretNames,
} from "./validation.ts";

/**
 * ProfilingAccess's arguments that every language shares: the component package (pulumi-package/) builds its
 * schema from this interface (an `Omit<>` of ProfilingAccessArgs would reach it without its property types).
 */
export interface ProfilingAccessSharedArgs {
  /** Namespace of the Flink deployment; everything is created there. */
  namespace: string;
  /** Which pods are TaskManagers: see targets.ts for the operator and native mode. */
  target: ProfilingTarget;
  /** The profiler-runner image, ideally digest-pinned (ProfilingImage.runnerImage). */
  runnerImage: pulumi.Input<string>;
  /** @default [] — Kubernetes user names allowed to profile */
  users?: string[];
  /** @default [] — Kubernetes group names allowed to profile */
  groups?: string[];
  /**
   * The Flink cluster's name: what `profile.mjs --cluster NAME` is given. Names the service account, Roles
   * and template ConfigMap (`<cluster>-profiling-runner`, `<cluster>-profilers`, `<cluster>-profiling-job-template`)
   * and labels the template. @default the target's `app.kubernetes.io/instance` or `app` label
   */
  cluster?: string;
  /** @default `<cluster>-profiling-runner` */
  serviceAccountName?: string;
  /**
   * Secrets (kubernetes.io/dockerconfigjson, in `namespace`) with which the profiling Job's pod pulls runnerImage
   * from a registry that needs a login; written into the Job template. @default []
   */
  imagePullSecrets?: string[];
}

export interface ProfilingAccessArgs extends ProfilingAccessSharedArgs {
  /** Passed into the Job template: resources, deadlines, labels, annotations, tolerations, nodeSelector. */
  jobTemplate?: Partial<Omit<TemplateOptions, "runnerImage" | "target" | "serviceAccountName" | "imagePullSecrets">>;
}

/** The type token of ProfilingAccess, here and in the component package (pulumi-package/). */
export const PROFILING_ACCESS_TYPE = "flink-profiling:index:ProfilingAccess";

/** What ProfilingAccess has checked before it registers: a bad argument throws here and creates nothing. */
export interface ProfilingAccessPlan {
  name: string;
  args: ProfilingAccessArgs;
  namespace: string;
  cluster: string;
  serviceAccountName: string;
  subjects: ReturnType<typeof peopleSubjects>;
  imagePullSecrets: string[];
}

/** Checks every argument of a ProfilingAccess named `name`, before anything is registered. */
export function planProfilingAccess(name: string, args: ProfilingAccessArgs): ProfilingAccessPlan {
  const namespace = requireDnsLabel("namespace", args.namespace);
  requireDnsLabel("target.container", args.target.container);
  requireLabels("target.labelSelector", args.target.labelSelector);
  if (Object.keys(args.target.labelSelector).length === 0) throw new Error("target.labelSelector must not be empty");
  for (const pod of args.target.podNames ?? []) requireDnsSubdomain("target.podNames entry", pod);
  const cluster = args.cluster ?? clusterFromLabels(args.target.labelSelector);
  if (cluster === undefined) {
    throw new Error(
      'ProfilingAccess needs cluster: the target\'s labels name no cluster (app.kubernetes.io/instance or app); pass cluster: "<name>" as used with --cluster',
    );
  }
  const serviceAccountName = requireDnsSubdomain(
    "serviceAccountName",
    args.serviceAccountName ?? profilingObjectNames(cluster).serviceAccount,
  );
  const subjects = peopleSubjects(args.users, args.groups);
  const imagePullSecrets = requireSecretNames("imagePullSecrets", args.imagePullSecrets ?? []);
  if (typeof args.runnerImage === "string") requireImageReference("runnerImage", args.runnerImage);
  return { name, args, namespace, cluster, serviceAccountName, subjects, imagePullSecrets };
}

/** What a ProfilingAccess exposes, the same for the TypeScript class and the component package's. */
export interface ProfilingAccessParts {
  cluster: string;
  serviceAccountName: string;
  templateConfigMapName: string;
  runnerRoleName: string;
  profilerRoleName: string;
  templateJson: pulumi.Output<string>;
}

/**
 * Creates a planned ProfilingAccess's resources as children of `parent`, the component that registered the
 * type token. The one place they are made: the TypeScript ProfilingAccess and the component package's
 * ProfilingAccess both call it.
 */
export function buildProfilingAccess(
  parent: pulumi.ComponentResource,
  plan: ProfilingAccessPlan,
): ProfilingAccessParts {
  const { name, args, namespace, cluster, serviceAccountName, subjects, imagePullSecrets } = plan;
  const opts = { parent };
  const names = profilingObjectNames(cluster);
  const labels = { ...MANAGED_BY, "app.kubernetes.io/part-of": name };

  const account = new k8s.core.v1.ServiceAccount(
    `${name}-runner`,
    {
      metadata: { name: serviceAccountName, namespace, labels },
      // Only the Job pod mounts the token, by asking for it explicitly.
      automountServiceAccountToken: false,
    },
    opts,
  );

  const runnerRole = new k8s.rbac.v1.Role(
    `${name}-runner`,
    {
      metadata: { name: names.runnerRole, namespace, labels },
      rules: runnerRules(args.target.podNames),
    },
    opts,
  );
  new k8s.rbac.v1.RoleBinding(
    `${name}-runner`,
    {
      metadata: { name: names.runnerRole, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: runnerRole.metadata.name },
      subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace }],
    },
    opts,
  );

  const profilerRole = new k8s.rbac.v1.Role(
    `${name}-profiler`,
    {
      metadata: { name: names.profilerRole, namespace, labels },
      rules: profilerRules(names.templateConfigMap),
    },
    opts,
  );
  if (subjects.length > 0) {
    new k8s.rbac.v1.RoleBinding(
      `${name}-profiler`,
      {
        metadata: { name: names.profilerRole, namespace, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: profilerRole.metadata.name },
        subjects,
      },
      opts,
    );
  }

  const templateJson = pulumi.output(args.runnerImage).apply((runnerImage) => {
    requireImageReference("runnerImage", runnerImage);
    const pull = imagePullSecrets.length > 0 ? { imagePullSecrets } : {};
    return serializeTemplate(
      defaultJobTemplate({ ...args.jobTemplate, ...pull, runnerImage, serviceAccountName, target: args.target }),
    );
  });
  new k8s.core.v1.ConfigMap(
    `${name}-job-template`,
    {
      metadata: {
        name: names.templateConfigMap,
        namespace,
        labels: { ...labels, ...templateConfigMapLabels(cluster) },
      },
      data: { [TEMPLATE_KEY]: templateJson },
    },
    opts,
  );
  return {
    cluster,
    serviceAccountName,
    templateConfigMapName: names.templateConfigMap,
    runnerRoleName: names.runnerRole,
    profilerRoleName: names.profilerRole,
    templateJson,
  };
}

export class ProfilingAccess extends pulumi.ComponentResource {
  /** The Flink cluster this access is for (`--cluster NAME`). */
  readonly cluster: string;
  readonly serviceAccountName: string;
  readonly templateConfigMapName: string;
  readonly runnerRoleName: string;
  readonly profilerRoleName: string;
  /** The template as stored, JSON. */
  readonly templateJson: pulumi.Output<string>;

  constructor(name: string, args: ProfilingAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    // Every argument is checked before the component registers, so a bad one creates nothing.
    const plan = planProfilingAccess(name, args);
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
