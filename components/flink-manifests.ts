/**
 * The Kubernetes objects of a standalone Flink session cluster, as plain data (no Pulumi), so they can be
 * validated against the Kubernetes schemas and read by tests. FlinkCluster turns them into resources.
 *
 * Layout follows Flink's standalone Kubernetes docs (one JobManager, ConfigMap mounted as the conf
 * directory), with TaskManagers in a StatefulSet so their pod names are known in advance: the runner Role
 * can then be limited to exactly those pods, and `taskmanager.resource-id` = pod name lets the scripts go
 * from Flink's REST API (which names TaskManagers) to pods.
 */
import { createHash } from "node:crypto";
import type { IConfigMap, IService } from "kubernetes-models/v1";
import type { IDeployment, IStatefulSet } from "kubernetes-models/apps/v1";
import type { IContainer, IPodSpec } from "kubernetes-models/v1";
import { mergeSettings, profilingSettings, renderFlinkConfig, type FlinkSettings } from "./flink-config.ts";
import type { FlinkVersion } from "./flink-versions.ts";
import {
  flinkContainerSecurityContext,
  flinkPodSecurityContext,
  profilesEnv,
  profilesMount,
  profilesVolume,
  PROFILES_DIR,
} from "./pod-security.ts";

export interface FlinkClusterSpec {
  name: string;
  namespace: string;
  version: FlinkVersion;
  image: string;
  taskManagers: number;
  slotsPerTaskManager: number;
  jobManager: { cpu: string; memoryMiB: number };
  taskManager: { cpu: string; memoryMiB: number };
  profilesSizeLimit: string;
  extraConfig: FlinkSettings;
  /** Secrets for pulling the Flink image from a registry that needs a login. */
  imagePullSecrets: string[];
}

export const TASKMANAGER_CONTAINER = "taskmanager";
const CONFIG_DIR = "/opt/flink/conf";

// Flink's start-foreground logs through this file; a console-only log keeps `kubectl logs` useful.
const LOG4J_CONSOLE = [
  "rootLogger.level = INFO",
  "rootLogger.appenderRef.console.ref = ConsoleAppender",
  "appender.console.name = ConsoleAppender",
  "appender.console.type = CONSOLE",
  "appender.console.layout.type = PatternLayout",
  "appender.console.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
  "",
].join("\n");

export function clusterLabels(
  spec: FlinkClusterSpec,
  component?: "jobmanager" | "taskmanager",
): Record<string, string> {
  return {
    app: spec.name,
    "app.kubernetes.io/name": "flink",
    "app.kubernetes.io/instance": spec.name,
    ...(component ? { component } : {}),
  };
}

export const jobManagerService = (spec: FlinkClusterSpec) => `${spec.name}-jobmanager`;
export const taskManagerPodNames = (spec: FlinkClusterSpec) =>
  Array.from({ length: spec.taskManagers }, (_, i) => `${spec.name}-taskmanager-${i}`);

export function flinkSettings(spec: FlinkClusterSpec): FlinkSettings {
  const base: FlinkSettings = {
    "jobmanager.rpc.address": jobManagerService(spec),
    "jobmanager.rpc.port": 6123,
    "blob.server.port": 6124,
    "rest.port": 8081,
    "taskmanager.rpc.port": 6122,
    "queryable-state.proxy.ports": 6125,
    "taskmanager.numberOfTaskSlots": spec.slotsPerTaskManager,
    "jobmanager.memory.process.size": `${spec.jobManager.memoryMiB}m`,
    "taskmanager.memory.process.size": `${spec.taskManager.memoryMiB}m`,
  };
  return mergeSettings(base, spec.extraConfig, profilingSettings(spec.version, PROFILES_DIR));
}

export function configMap(spec: FlinkClusterSpec): IConfigMap {
  const file = renderFlinkConfig(spec.version, flinkSettings(spec));
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `${spec.name}-config`, namespace: spec.namespace, labels: clusterLabels(spec) },
    data: { [file.fileName]: file.content, "log4j-console.properties": LOG4J_CONSOLE },
  };
}

/** Pod template annotation: the SHA-256 of the ConfigMap's files, the way Helm charts roll pods on a config change. */
export const CONFIG_CHECKSUM_ANNOTATION = "flink-profiling/config-sha256";

/**
 * Flink reads its config file only at start, and changing a ConfigMap changes no pod template, so
 * without this the pods would keep the old settings until they happened to restart. A checksum of the
 * rendered files in the pod templates makes every config change roll the JobManager and TaskManagers.
 */
export function configChecksum(spec: FlinkClusterSpec): string {
  const data = configMap(spec).data ?? {};
  const files = Object.keys(data)
    .sort()
    .map((name) => [name, data[name]]);
  return createHash("sha256").update(JSON.stringify(files)).digest("hex");
}

function podTemplateMetadata(spec: FlinkClusterSpec, labels: Record<string, string>) {
  return { labels, annotations: { [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(spec) } };
}

function podSpec(spec: FlinkClusterSpec, container: IContainer): IPodSpec {
  return {
    // Flink pods talk to no Kubernetes API in standalone mode: no token.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: flinkPodSecurityContext(),
    ...(spec.imagePullSecrets.length > 0 ? { imagePullSecrets: spec.imagePullSecrets.map((name) => ({ name })) } : {}),
    containers: [container],
    volumes: [
      { name: "flink-config", configMap: { name: `${spec.name}-config` } },
      profilesVolume(spec.profilesSizeLimit),
    ],
  };
}

function flinkContainer(
  spec: FlinkClusterSpec,
  name: string,
  args: string[],
  resources: { cpu: string; memoryMiB: number },
): IContainer {
  const amount = { cpu: resources.cpu, memory: `${resources.memoryMiB}Mi` };
  return {
    name,
    image: spec.image,
    args,
    resources: { requests: amount, limits: amount },
    securityContext: flinkContainerSecurityContext(),
    volumeMounts: [{ name: "flink-config", mountPath: CONFIG_DIR }, profilesMount()],
  };
}

export function jobManagerDeployment(spec: FlinkClusterSpec): IDeployment {
  const labels = clusterLabels(spec, "jobmanager");
  const container: IContainer = {
    ...flinkContainer(spec, "jobmanager", ["jobmanager"], spec.jobManager),
    ports: [
      { name: "rpc", containerPort: 6123 },
      { name: "blob-server", containerPort: 6124 },
      { name: "rest", containerPort: 8081 },
    ],
    env: profilesEnv(),
    livenessProbe: { tcpSocket: { port: 6123 }, initialDelaySeconds: 30, periodSeconds: 60 },
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `${spec.name}-jobmanager`, namespace: spec.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: podTemplateMetadata(spec, labels), spec: podSpec(spec, container) },
    },
  };
}

export function taskManagerStatefulSet(spec: FlinkClusterSpec): IStatefulSet {
  const labels = clusterLabels(spec, "taskmanager");
  // Kubernetes expands $(POD_NAME) in args; the entrypoint hands `-D` options to Flink as dynamic properties.
  const args = ["taskmanager", "-Dtaskmanager.resource-id=$(POD_NAME)"];
  const container: IContainer = {
    ...flinkContainer(spec, TASKMANAGER_CONTAINER, args, spec.taskManager),
    ports: [
      { name: "rpc", containerPort: 6122 },
      { name: "query-state", containerPort: 6125 },
    ],
    env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, ...profilesEnv()],
    livenessProbe: { tcpSocket: { port: 6122 }, initialDelaySeconds: 30, periodSeconds: 60 },
  };
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: `${spec.name}-taskmanager`, namespace: spec.namespace, labels },
    spec: {
      serviceName: `${spec.name}-taskmanager`,
      replicas: spec.taskManagers,
      // TaskManagers do not depend on each other: start and replace them all at once.
      podManagementPolicy: "Parallel",
      selector: { matchLabels: labels },
      template: { metadata: podTemplateMetadata(spec, labels), spec: podSpec(spec, container) },
    },
  };
}

export function services(spec: FlinkClusterSpec): IService[] {
  const meta = (name: string, component: "jobmanager" | "taskmanager") => ({
    name,
    namespace: spec.namespace,
    labels: clusterLabels(spec, component),
  });
  const jm = clusterLabels(spec, "jobmanager");
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(jobManagerService(spec), "jobmanager"),
      spec: {
        type: "ClusterIP",
        selector: jm,
        ports: [
          { name: "rpc", port: 6123, targetPort: 6123 },
          { name: "blob-server", port: 6124, targetPort: 6124 },
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(`${spec.name}-rest`, "jobmanager"),
      spec: { type: "ClusterIP", selector: jm, ports: [{ name: "rest", port: 8081, targetPort: 8081 }] },
    },
    {
      // Headless: gives the StatefulSet's pods stable DNS names.
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(`${spec.name}-taskmanager`, "taskmanager"),
      spec: {
        clusterIP: "None",
        selector: clusterLabels(spec, "taskmanager"),
        ports: [{ name: "rpc", port: 6122, targetPort: 6122 }],
      },
    },
  ];
}
