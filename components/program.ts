/**
 * The example program `pulumi up` runs (Pulumi.yaml `main`): a namespace that enforces Pod Security
 * "restricted", the two images, a Flink session cluster and who may profile it, from stack config.
 * A platform team's own program needs only the few lines from `new ProfilingImage` on.
 *
 * With `flinkImage` and `runnerImage` set, the program builds nothing and uses those prebuilt images:
 * for images built by a CI pipeline, and for the local real-cluster tier, where the docker-build
 * provider cannot be built (cluster/README.md) and cluster/build-images.sh builds the same Dockerfiles.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  DEFAULT_FLINK_VERSION,
  FlinkCluster,
  ProfilingAccess,
  ProfilingAdmissionPolicy,
  ProfilingImage,
  nativeKubernetesTarget,
  requireDnsLabel,
  type Platform,
} from "./index.ts";

const config = new pulumi.Config();
const namespace = requireDnsLabel("namespace (stack config)", config.get("namespace") ?? "flink");
// Pulumi.yaml gives "" (not set): the default is the table's, components/flink-versions.ts.
const flinkVersion = config.get("flinkVersion") || DEFAULT_FLINK_VERSION;
const username = config.get("registryUsername");
const password = config.getSecret("registryPassword");

// Pulumi.yaml gives "" as the default, which means "not set".
const prebuiltFlink = config.get("flinkImage") || undefined;
const prebuiltRunner = config.get("runnerImage") || undefined;
if ((prebuiltFlink === undefined) !== (prebuiltRunner === undefined)) {
  throw new Error("set both flinkImage and runnerImage (prebuilt images), or neither (then the images are built)");
}
// Images that were built but never pushed exist only in the builder's cache: the nodes could not pull them,
// and every pod would sit in ImagePullBackOff. Refuse before anything is created.
if (prebuiltFlink === undefined && config.getBoolean("push") === false) {
  throw new Error(
    "push: false builds images that the cluster's nodes cannot pull, so this program would deploy pods that never start; " +
      "set push: true, or build the images yourself, load them where the nodes can use them, and set flinkImage and runnerImage",
  );
}

const ns = new k8s.core.v1.Namespace("flink", {
  metadata: {
    name: namespace,
    // The API server itself then refuses any pod of this project that is not "restricted".
    labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
  },
});

const images =
  prebuiltFlink !== undefined && prebuiltRunner !== undefined
    ? { flinkImage: pulumi.output(prebuiltFlink), runnerImage: pulumi.output(prebuiltRunner) }
    : new ProfilingImage("images", {
        registry:
          config.get("registry") ||
          missing("registry: where the images are pushed (or set flinkImage and runnerImage)"),
        flinkVersion,
        platforms: config.getObject<Platform[]>("platforms"),
        push: true,
        ...(username ? { username, password } : {}),
      });

function missing(what: string): never {
  throw new Error(`stack config is missing ${what}`);
}

/** `<role>Cpu` and `<role>MemoryMiB`, where set; FlinkCluster's defaults otherwise. */
function size(role: "jobManager" | "taskManager"): { cpu?: string; memoryMiB?: number } {
  const cpu = config.get(`${role}Cpu`);
  const memoryMiB = config.getNumber(`${role}MemoryMiB`);
  return { ...(cpu !== undefined ? { cpu } : {}), ...(memoryMiB !== undefined ? { memoryMiB } : {}) };
}

const cluster = new FlinkCluster(
  "flink",
  {
    namespace,
    flinkVersion,
    image: images.flinkImage,
    runnerImage: images.runnerImage,
    taskManagers: config.getNumber("taskManagers") ?? 2,
    slotsPerTaskManager: config.getNumber("slotsPerTaskManager") ?? 2,
    jobManager: size("jobManager"),
    taskManager: size("taskManager"),
    imagePullSecrets: config.getObject<string[]>("imagePullSecrets") ?? [],
    users: config.getObject<string[]>("profilers") ?? [],
    groups: config.getObject<string[]>("profilerGroups") ?? [],
  },
  { dependsOn: [ns] },
);

// Flink clusters that Flink itself made in this namespace with native Kubernetes mode (their
// kubernetes.cluster-id): the same people may profile them, through their own runner and template.
const nativeClusters = (config.getObject<string[]>("nativeClusters") ?? []).map((id) =>
  requireDnsLabel("nativeClusters entry", id),
);
const nativeAccess = nativeClusters.map(
  (id) =>
    new ProfilingAccess(
      `native-${id}`,
      {
        namespace,
        target: nativeKubernetesTarget(id),
        runnerImage: images.runnerImage,
        users: config.getObject<string[]>("profilers") ?? [],
        groups: config.getObject<string[]>("profilerGroups") ?? [],
        imagePullSecrets: config.getObject<string[]>("imagePullSecrets") ?? [],
      },
      { dependsOn: [ns] },
    ),
);

// Opt-in: needs the right to create cluster-scoped admission policies.
if (config.getBoolean("admissionPolicy") ?? false) {
  new ProfilingAdmissionPolicy(
    "profiling",
    { namespace, templateJson: cluster.access.templateJson },
    { dependsOn: [ns] },
  );
  for (const access of nativeAccess) {
    new ProfilingAdmissionPolicy(
      `native-${access.cluster}`,
      { namespace, templateJson: access.templateJson },
      { dependsOn: [ns] },
    );
  }
}

export const flinkImage = images.flinkImage;
export const runnerImage = images.runnerImage;
export const namespaceName = namespace;
export const restService = cluster.restServiceName;
export const taskManagerPods = cluster.taskManagerPodNames;
export const jobTemplateConfigMap = cluster.access.templateConfigMapName;
export const nativeJobTemplateConfigMaps = nativeAccess.map((access) => access.templateConfigMapName);
