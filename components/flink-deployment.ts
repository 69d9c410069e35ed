/**
 * Makes a Flink Kubernetes Operator `FlinkDeployment` profiling-ready, so operator users get what
 * FlinkCluster gives: the profiling image, the JVM flags and REST profiler in the Flink configuration,
 * a size-limited profiles volume in `flink-main-container`, restricted security contexts.
 *
 *   const spec = profilingReadySpec(mySpec, { image: images.flinkImage, flinkVersion: "1.20" });
 *   new k8s.apiextensions.CustomResource("job", { apiVersion: "flink.apache.org/v1beta1", kind: "FlinkDeployment",
 *     metadata: { name: "job", namespace }, spec });
 *   new ProfilingAccess("job-profiling", { namespace, target: operatorTarget("job"), runnerImage, users });
 *
 * Pure: returns a new spec and leaves the caller's untouched. What the caller set wins, except that the
 * profiling flags are added to its JVM options and the volume and mount are added to its pod template.
 */
import type { IContainer, IPodSpec } from "kubernetes-models/v1";
import { mergeSettings, profilingSettings } from "./flink-config.ts";
import { parseFlinkVersion } from "./flink-versions.ts";
import {
  flinkContainerSecurityContext,
  flinkPodSecurityContext,
  profilesEnv,
  profilesMount,
  profilesVolume,
  PROFILES_DIR,
  PROFILES_VOLUME,
} from "./pod-security.ts";
import { FLINK_MAIN_CONTAINER } from "./targets.ts";
import { requireImageReference } from "./validation.ts";

/** The parts of `FlinkDeployment.spec` this helper reads or writes; everything else passes through. */
export interface FlinkDeploymentSpec {
  image?: string;
  flinkVersion?: string;
  flinkConfiguration?: Record<string, string>;
  podTemplate?: { apiVersion?: string; kind?: string; metadata?: Record<string, unknown>; spec?: IPodSpec };
  [key: string]: unknown;
}

export interface ProfilingReadyOptions {
  /** The profiling image (ProfilingImage.flinkImage). */
  image: string;
  /** A version from components/flink-versions.ts (`1.20`, `2.3`, …); also sets the operator's `flinkVersion` (`v1_20`) when the spec has none. */
  flinkVersion: string;
  /** @default "512Mi" */
  profilesSizeLimit?: string;
}

/** The operator's spelling of a Flink version: `1.20` → `v1_20`. */
export function operatorFlinkVersion(version: string): string {
  const v = parseFlinkVersion(version);
  return `v${v.major}_${v.minor}`;
}

function withMount(container: IContainer): IContainer {
  const mounts = container.volumeMounts ?? [];
  const env = container.env ?? [];
  return {
    ...container,
    securityContext: { ...flinkContainerSecurityContext(), ...container.securityContext },
    volumeMounts: mounts.some((m) => m.mountPath === PROFILES_DIR) ? mounts : [...mounts, profilesMount()],
    env: env.some((e) => e.name === "FLINK_PROFILER_OUTPUT_DIR") ? env : [...env, ...profilesEnv()],
  };
}

export function profilingReadySpec(spec: FlinkDeploymentSpec, options: ProfilingReadyOptions): FlinkDeploymentSpec {
  const image = requireImageReference("image", options.image);
  const version = parseFlinkVersion(options.flinkVersion);
  const volume = profilesVolume(options.profilesSizeLimit ?? "512Mi");
  const copy = structuredClone(spec);

  // The operator's flinkConfiguration is a map of strings.
  const config = mergeSettings({}, copy.flinkConfiguration ?? {}, profilingSettings(version, PROFILES_DIR));
  const flinkConfiguration = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));

  const podSpec: IPodSpec = copy.podTemplate?.spec ?? { containers: [] };
  const containers = podSpec.containers ?? [];
  const main = containers.find((c) => c.name === FLINK_MAIN_CONTAINER) ?? { name: FLINK_MAIN_CONTAINER };
  const volumes = podSpec.volumes ?? [];

  return {
    ...copy,
    image,
    flinkVersion: copy.flinkVersion ?? operatorFlinkVersion(options.flinkVersion),
    flinkConfiguration,
    podTemplate: {
      apiVersion: "v1",
      kind: "Pod",
      ...copy.podTemplate,
      spec: {
        ...podSpec,
        securityContext: { ...flinkPodSecurityContext(), ...podSpec.securityContext },
        volumes: volumes.some((v) => v.name === PROFILES_VOLUME) ? volumes : [...volumes, volume],
        containers: [withMount(main), ...containers.filter((c) => c.name !== FLINK_MAIN_CONTAINER)],
      },
    },
  };
}

/** What a Flink cluster made by native Kubernetes mode needs to be profiling-ready (see profilingReadyNativeMode). */
export interface NativeModeSettings {
  /** For config.yaml or `-D` options of `kubernetes-session.sh` / `flink run-application`: the image and the profiling flags. */
  flinkConfiguration: Record<string, string>;
  /** Write it to a file and point `kubernetes.pod-template-file.default` at it: restricted security contexts and the profiles volume. */
  podTemplate: NonNullable<FlinkDeploymentSpec["podTemplate"]>;
}

/**
 * Native Kubernetes mode has no spec of its own: Flink's client reads the same two things from its
 * configuration and a pod template file. They are the operator's, so they come from profilingReadySpec.
 */
export function profilingReadyNativeMode(options: ProfilingReadyOptions): NativeModeSettings {
  const spec = profilingReadySpec({}, options);
  return {
    flinkConfiguration: { ...spec.flinkConfiguration, "kubernetes.container.image.ref": spec.image! },
    podTemplate: { ...spec.podTemplate!, metadata: { name: "flink-pod-template" } },
  };
}
