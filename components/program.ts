/**
 * The example program `pulumi up` runs (Pulumi.yaml `main`): a namespace that enforces Pod Security
 * "restricted", the two images, a Flink session cluster and who may profile it, from stack config.
 * A platform team's own program needs only the few lines from `new ProfilingImage` on.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { FlinkCluster, ProfilingImage, requireDnsLabel, type Platform } from "./index.ts";

const config = new pulumi.Config();
const namespace = requireDnsLabel("namespace (stack config)", config.get("namespace") ?? "flink");
const flinkVersion = config.get("flinkVersion") ?? "2.1";
const username = config.get("registryUsername");
const password = config.getSecret("registryPassword");

const ns = new k8s.core.v1.Namespace("flink", {
  metadata: {
    name: namespace,
    // The API server itself then refuses any pod of this project that is not "restricted".
    labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
  },
});

const images = new ProfilingImage("images", {
  registry: config.require("registry"),
  flinkVersion,
  platforms: config.getObject<Platform[]>("platforms"),
  push: config.getBoolean("push") ?? true,
  ...(username ? { username, password } : {}),
});

const cluster = new FlinkCluster("flink", {
  namespace,
  flinkVersion,
  image: images.flinkImage,
  runnerImage: images.runnerImage,
  taskManagers: config.getNumber("taskManagers") ?? 2,
  slotsPerTaskManager: config.getNumber("slotsPerTaskManager") ?? 2,
  users: config.getObject<string[]>("profilers") ?? [],
  groups: config.getObject<string[]>("profilerGroups") ?? [],
}, { dependsOn: [ns] });

export const flinkImage = images.flinkImage;
export const runnerImage = images.runnerImage;
export const namespaceName = namespace;
export const restService = cluster.restServiceName;
export const taskManagerPods = cluster.taskManagerPodNames;
export const jobTemplateConfigMap = cluster.access.templateConfigMapName;
