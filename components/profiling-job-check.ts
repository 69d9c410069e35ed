/**
 * Shape checks for a stored profiling Job template. The template crosses a ConfigMap that anyone with
 * write access to it could edit, so the scripts must not trust it blindly: a wrong field fails here
 * with its name, not later as an odd Kubernetes error.
 */
import type { ProfilingJobTemplate } from "./profiling-job.ts";
import { requireDnsLabel, requireDnsSubdomain, requireImageReference, requireLabels } from "./validation.ts";

function fail(field: string, expected: string): never {
  throw new Error(`profiling Job template: ${field} must be ${expected}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringMap(field: string, value: unknown): Record<string, string> {
  if (!isRecord(value) || !Object.values(value).every((v) => typeof v === "string")) fail(field, "a map of strings");
  return value as Record<string, string>;
}

function positiveInt(field: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) fail(field, "a positive whole number");
}

const REQUIRED = [
  "runnerImage",
  "serviceAccountName",
  "containerName",
  "helperPath",
  "target",
  "resources",
  "podSecurityContext",
  "securityContext",
  "activeDeadlineSeconds",
  "ttlSecondsAfterFinished",
  "labels",
  "annotations",
  "tolerations",
  "nodeSelector",
] as const;

export function checkTemplate(value: unknown): ProfilingJobTemplate {
  if (!isRecord(value)) fail("the template", "an object");
  if (value.version !== 1) fail("version", "1 (this code reads version 1 templates only)");
  for (const key of REQUIRED) if (!(key in value)) fail(key, "present");
  const known = new Set<string>(["version", ...REQUIRED, "imagePullSecrets"]);
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) fail(`unknown field(s) ${unknown.join(", ")}`, "removed (a typo would otherwise be ignored)");

  const wrap = (field: string, check: () => void) => {
    try {
      check();
    } catch (error) {
      fail(field, `valid: ${(error as Error).message}`);
    }
  };
  wrap("runnerImage", () => requireImageReference("runnerImage", value.runnerImage));
  wrap("serviceAccountName", () => requireDnsSubdomain("serviceAccountName", value.serviceAccountName));
  wrap("containerName", () => requireDnsLabel("containerName", value.containerName));
  if (typeof value.helperPath !== "string" || !/^[A-Za-z0-9_./-]+$/.test(value.helperPath)) {
    fail("helperPath", "a command name or absolute path of [A-Za-z0-9_./-]");
  }

  const target = value.target;
  if (!isRecord(target)) fail("target", "an object");
  wrap("target.container", () => requireDnsLabel("target.container", target.container));
  wrap("target.labelSelector", () =>
    requireLabels("target.labelSelector", stringMap("target.labelSelector", target.labelSelector)),
  );
  if (Object.keys(target.labelSelector as object).length === 0) fail("target.labelSelector", "non-empty");
  if (target.podNames !== undefined) {
    if (!Array.isArray(target.podNames)) fail("target.podNames", "a list of pod names");
    target.podNames.forEach((pod, i) => {
      wrap(`target.podNames[${i}]`, () => requireDnsSubdomain("pod", pod));
    });
  }
  if (
    target.podNamePrefix !== undefined &&
    (typeof target.podNamePrefix !== "string" || !/^[a-z0-9][a-z0-9.-]{0,252}$/.test(target.podNamePrefix))
  ) {
    fail("target.podNamePrefix", "the start of a pod name (a-z 0-9 . -)");
  }

  for (const key of ["resources", "podSecurityContext", "securityContext"] as const) {
    if (!isRecord(value[key])) fail(key, "an object");
  }
  positiveInt("activeDeadlineSeconds", value.activeDeadlineSeconds);
  if (
    typeof value.ttlSecondsAfterFinished !== "number" ||
    !Number.isInteger(value.ttlSecondsAfterFinished) ||
    value.ttlSecondsAfterFinished < 0
  ) {
    fail("ttlSecondsAfterFinished", "a whole number of seconds, 0 or more");
  }
  wrap("labels", () => requireLabels("labels", stringMap("labels", value.labels)));
  stringMap("annotations", value.annotations);
  stringMap("nodeSelector", value.nodeSelector);
  if (!Array.isArray(value.tolerations) || !value.tolerations.every(isRecord))
    fail("tolerations", "a list of tolerations");
  if (value.imagePullSecrets !== undefined) {
    if (!Array.isArray(value.imagePullSecrets)) fail("imagePullSecrets", "a list of Secret names");
    value.imagePullSecrets.forEach((name, i) => {
      wrap(`imagePullSecrets[${i}]`, () => requireDnsSubdomain("Secret name", name));
    });
  }
  return value as unknown as ProfilingJobTemplate;
}
