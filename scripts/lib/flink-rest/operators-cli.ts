// The command-line half of `operators` and `--operator`: parsed values in, validated values out. Pure.
// Every value here reaches a URL path: each is checked against Flink's own spelling first.
import { UsageError, decimalIn, parseDecimal } from "../profile-options.ts";
import { parseRestUrl } from "./http.ts";
import type { KubeTarget, TaskManagerChoice } from "../cluster/cluster-cli.ts";

/** The flags parseArgs must know for `operators` and `--operator`. */
export const OPERATOR_OPTIONS = {
  "flink-rest": { type: "string" },
  job: { type: "string" },
  operator: { type: "string" },
  tms: { type: "string" },
  "rest-service": { type: "string" },
} as const;

export interface OperatorValues {
  "flink-rest"?: string;
  job?: string;
  operator?: string;
  tms?: string;
  "rest-service"?: string;
}

export interface OperatorsCommand {
  kind: "operators";
  /** The JobManager's REST address (--flink-rest), or absent when read in a Kubernetes cluster (`inCluster`). */
  restUrl?: string;
  /** -n NS --cluster NAME: the answers are read by the helper inside one of the cluster's TaskManagers,
   * from `restUrl` as that pod sees it (default: the <cluster>-rest Service on port 8081). */
  inCluster?: { kube: KubeTarget; choice: TaskManagerChoice; restUrl?: string };
  /** Absent: every running job. */
  jobId?: string;
  json: boolean;
}

/** What `--operator` adds to a profile run. */
export interface OperatorSpec {
  /** "busiest", an operator's name or a vertex id. */
  spec: string;
  jobId?: string;
  /** @default 3 — TaskManagers to profile, the busiest subtask's of each */
  tms: number;
}

/** --operator on a --local run: the JobManager's REST address as this machine reaches it. */
export interface OperatorTarget extends OperatorSpec {
  restUrl: string;
}

/** --operator on a cluster run: the REST API is read inside a TaskManager, at `restUrl` as the pods see
 * it (default: the <cluster>-rest Service on port 8081). */
export interface ClusterOperatorTarget extends OperatorSpec {
  restUrl?: string;
}

export const DEFAULT_TMS = 3;
export const MAX_TMS = 64;

export const hasOperatorFlags = (v: OperatorValues) => Object.values(v).some((x) => x !== undefined);

/** A Flink JobID: 32 hex digits (JobID.toHexString). */
export function parseJobId(value: string): string {
  const id = value.trim().toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id))
    throw new UsageError(
      `--job "${value}" is not a Flink job id (32 hex digits)`,
      "copy it from `profile.mjs operators` or Flink's web UI",
    );
  return id;
}

export function parseOperatorName(value: string): string {
  if (value.trim() === "" || value.length > 1000 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new UsageError(
      `--operator ${JSON.stringify(value)} is empty, too long or has control characters`,
      "use busiest, an operator's name (e.g. --operator Score) or a vertex id",
    );
  }
  return value;
}

export function parseTms(value: string): number {
  const n = decimalIn(value, 1, MAX_TMS);
  if (n === undefined)
    throw new UsageError(
      `--tms "${value}" is not a number from 1 to ${MAX_TMS}`,
      "e.g. --tms 2: the two TaskManagers that run the busiest subtasks",
    );
  return n;
}

function requireRest(v: OperatorValues, what: string): string {
  if (v["flink-rest"] === undefined)
    throw new UsageError(
      `${what} needs --flink-rest URL`,
      "give the JobManager's REST address, e.g. --flink-rest http://127.0.0.1:8081",
    );
  return parseRestUrl(v["flink-rest"]);
}

export function parseOperatorsCommand(
  v: OperatorValues,
  json: boolean,
  inCluster?: OperatorsCommand["inCluster"],
): OperatorsCommand {
  if (v.operator !== undefined || v.tms !== undefined) {
    throw new UsageError(
      "operators lists every vertex; --operator and --tms are for a profile run",
      "e.g. profile.mjs --local --flink-rest URL --operator busiest",
    );
  }
  if (inCluster && v["flink-rest"] !== undefined) {
    throw new UsageError(
      "operators reads either the JobManager at --flink-rest or a Kubernetes cluster's, not both",
      "drop --flink-rest, or drop -n/--cluster",
    );
  }
  if (!inCluster && v["rest-service"] !== undefined) {
    throw new UsageError(
      "--rest-service names the JobManager's REST Service in a cluster",
      "add -n NS --cluster NAME, or use --flink-rest URL for a JobManager you reach from here",
    );
  }
  const service = v["rest-service"] === undefined ? {} : { restUrl: parseRestService(v["rest-service"]) };
  const from = inCluster ? { inCluster: { ...inCluster, ...service } } : { restUrl: requireRest(v, "operators") };
  return { kind: "operators", ...from, ...(v.job !== undefined ? { jobId: parseJobId(v.job) } : {}), json };
}

/**
 * --rest-service HOST[:PORT]: the JobManager's REST address as a TaskManager pod sees it (a Service name or
 * an IPv4 address; port 8081 by default), as the helper's rest action takes it.
 */
export function parseRestService(value: string): string {
  const m = /^([A-Za-z0-9][A-Za-z0-9.-]{0,252})(?::(\d{1,5}))?$/.exec(value.trim());
  const port = m?.[2] === undefined ? 8081 : parseDecimal(m[2]);
  if (!m || port === undefined || port < 1 || port > 65535) {
    throw new UsageError(
      `--rest-service "${value}" is not HOST[:PORT]`,
      "e.g. --rest-service orders-rest:8081 (the JobManager's REST Service in the cluster's namespace)",
    );
  }
  return `http://${m[1]}:${port}`;
}

/** --operator on a --local run; undefined when none of its flags is given. */
export function parseOperatorTarget(v: OperatorValues, local: { pids: number }): OperatorTarget | undefined {
  if (!hasOperatorFlags(v)) return undefined;
  if (v["rest-service"] !== undefined)
    throw new UsageError(
      "--rest-service names the JobManager's REST Service as a cluster's pods see it; --local reads --flink-rest",
      "drop --rest-service, or profile a cluster with -n NS --cluster NAME",
    );
  if (v.tms !== undefined && local.pids > 0) {
    throw new UsageError(
      "--tms chooses TaskManagers by their busiest subtasks; --pid chooses the JVM itself",
      "drop one of them",
    );
  }
  return { ...parseOperatorSpec(v), restUrl: requireRest(v, "--operator") };
}

/** --operator on a cluster run; undefined when none of its flags is given. */
export function parseClusterOperatorTarget(v: OperatorValues): ClusterOperatorTarget | undefined {
  if (!hasOperatorFlags(v)) return undefined;
  if (v["flink-rest"] !== undefined)
    throw new UsageError(
      "in a cluster Flink's REST API is read from inside a TaskManager, so that nobody needs a right to reach it; --flink-rest is for --local and --via rest",
      "drop --flink-rest; if the pods reach the JobManager elsewhere than <cluster>-rest:8081, say where with --rest-service HOST[:PORT]",
    );
  const spec = parseOperatorSpec(v);
  return v["rest-service"] === undefined ? spec : { ...spec, restUrl: parseRestService(v["rest-service"]) };
}

export function parseOperatorSpec(v: OperatorValues): OperatorSpec {
  if (v.operator === undefined) {
    const given = (["flink-rest", "job", "tms", "rest-service"] as const)
      .filter((k) => v[k] !== undefined)
      .map((k) => `--${k}`);
    throw new UsageError(
      `${given.join(", ")} ${given.length > 1 ? "are" : "is"} for --operator (or the operators command)`,
      "add --operator busiest|NAME|VERTEX_ID, or run profile.mjs operators",
    );
  }
  return {
    spec: parseOperatorName(v.operator),
    ...(v.job !== undefined ? { jobId: parseJobId(v.job) } : {}),
    tms: v.tms === undefined ? DEFAULT_TMS : parseTms(v.tms),
  };
}
