/**
 * Pulumi components for profiling-ready Flink on Kubernetes. Type tokens: `flink-profiling:index:<Name>`.
 * The pure helpers (config rendering, the Job template, targets, RBAC rules) are exported too: they need
 * no Pulumi engine and are what the scripts and the tests use.
 */
export { ProfilingImage, imageBuildPlan, PLATFORMS, Platform, type ProfilingImageArgs } from "./profiling-image.ts";
export { FlinkCluster, resolveClusterSpec, type FlinkClusterArgs, type ProcessResources } from "./flink-cluster.ts";
export { ProfilingAccess, type ProfilingAccessArgs } from "./profiling-access.ts";
export { ProfilingAdmissionPolicy, type ProfilingAdmissionPolicyArgs } from "./profiling-admission-policy.ts";
export { admissionPolicies, type AdmissionPolicyOptions } from "./admission-policy.ts";
export {
  profilingReadySpec,
  profilingReadyNativeMode,
  operatorFlinkVersion,
  type FlinkDeploymentSpec,
  type NativeModeSettings,
  type ProfilingReadyOptions,
} from "./flink-deployment.ts";
export { nativeKubernetesTarget, operatorTarget, customTarget, FLINK_MAIN_CONTAINER } from "./targets.ts";
export * from "./profiling-job.ts";
export * from "./profiling-names.ts";
export * from "./flink-config.ts";
export * from "./flink-versions.ts";
export * from "./flink-memory.ts";
export * from "./validation.ts";
