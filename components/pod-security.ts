/**
 * Security contexts and the profiles volume shared by FlinkCluster and the operator helper.
 *
 * They meet Pod Security "restricted": non-root, no privilege escalation, every capability dropped,
 * the RuntimeDefault seccomp profile. async-profiler needs none of these: it attaches as the JVM's own
 * user (uid 9999) from inside the container. The price is that RuntimeDefault blocks perf_event_open,
 * so `-e cpu` falls back to ctimer (complete Java stacks, no kernel frames).
 *
 * The root file system stays writable for Flink: its entrypoint edits the conf directory and Flink
 * writes logs under /opt/flink/log and temporary files under /tmp. "restricted" does not require a
 * read-only root file system; the profiler-runner Job has one.
 */
import type { IContainer, IPodSecurityContext, ISecurityContext, IVolume, IVolumeMount } from "kubernetes-models/v1";

/** The `flink` user and group of the official images. */
export const FLINK_UID = 9999;

/** Where the helper (its default output dir) and Flink's REST profiler write results. */
export const PROFILES_DIR = "/tmp/flink-profiles";
export const PROFILES_VOLUME = "flink-profiles";

export function flinkPodSecurityContext(): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: FLINK_UID,
    runAsGroup: FLINK_UID,
    // The profiles volume belongs to the flink group, so the JVM can write its own results.
    fsGroup: FLINK_UID,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function flinkContainerSecurityContext(): ISecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: FLINK_UID,
    runAsGroup: FLINK_UID,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * An emptyDir with a size limit: a profile can fill it, never the node's disk; the kubelet evicts the
 * pod rather than let it grow past the limit. It lives in memory only if `medium: Memory` is asked for.
 */
export function profilesVolume(sizeLimit: string): IVolume {
  if (!/^[1-9][0-9]*(Ki|Mi|Gi)$/.test(sizeLimit)) {
    throw new Error(
      `profilesSizeLimit must be a quantity in Ki, Mi or Gi such as "512Mi"; got ${JSON.stringify(sizeLimit)}`,
    );
  }
  return { name: PROFILES_VOLUME, emptyDir: { sizeLimit } };
}

export function profilesMount(): IVolumeMount {
  return { name: PROFILES_VOLUME, mountPath: PROFILES_DIR };
}

/** Tells the helper where to write, in case an image changes its default. Flink ignores it. */
export function profilesEnv(): NonNullable<IContainer["env"]> {
  return [{ name: "FLINK_PROFILER_OUTPUT_DIR", value: PROFILES_DIR }];
}
