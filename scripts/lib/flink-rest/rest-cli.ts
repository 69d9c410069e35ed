// The `--via rest` half of profile.mjs's command line: parsed values in, a validated command out. Pure.
// Flink's built-in profiler takes a mode and a duration, nothing else, so the options it cannot honour are
// refused here, before anything is asked of Flink, each with what to use instead.
import { UsageError, parseDuration, parseEvent, type ProfileEvent } from "../profile-options.ts";
import { parseRestUrl } from "./http.ts";
import { parseOperatorSpec, type OperatorSpec } from "./operators-cli.ts";
import { checkTaskManagerId, flinkMode } from "./profiler-api.ts";

export interface RestCommand {
  kind: "rest";
  /** The JobManager's REST address, validated by parseRestUrl. */
  restUrl: string;
  /** Empty: every TaskManager the JobManager lists. */
  taskManagers: string[];
  duration: number;
  event: ProfileEvent;
  outputDir: string;
  json: boolean;
  /** --operator: Flink's profiler on the TaskManagers of that operator's busiest subtasks only. */
  operator?: OperatorSpec;
}

export interface RestValues {
  "flink-rest"?: string;
  tm?: string[];
  duration?: string;
  event?: string;
  format?: string;
  interval?: string;
  threads?: boolean;
  include?: string[];
  exclude?: string[];
  output?: string;
  json?: boolean;
  local?: boolean;
  pid?: string[];
  operator?: string;
  job?: string;
  tms?: string;
  "rest-service"?: string;
}

const NOT_FOR_REST = "Flink's built-in profiler takes only a mode (-e) and a duration (-d)";

export function parseRestCommand(
  values: RestValues,
  clusterFlags: readonly string[],
  extraArgs: readonly string[],
): RestCommand {
  if (values.local || values.pid)
    throw new UsageError(
      "--via rest profiles through Flink's REST API; --local and --pid do not apply",
      "drop --local/--pid, or drop --via rest",
    );
  if (clusterFlags.length > 0) {
    throw new UsageError(
      `--via rest talks to Flink's REST API only; ${clusterFlags.join(", ")} ${clusterFlags.length === 1 ? "does" : "do"} not apply`,
      "give the JobManager's REST address with --flink-rest URL and, to choose TaskManagers, --tm ID",
    );
  }
  if (values["flink-rest"] === undefined) {
    throw new UsageError(
      "--via rest needs the JobManager's REST address",
      "add --flink-rest URL, e.g. --flink-rest http://127.0.0.1:8081 (your own port-forward or ingress to the JobManager)",
    );
  }
  const refuse = (flag: string, instead: string) => {
    throw new UsageError(`${flag} does not apply to --via rest: ${NOT_FOR_REST}`, instead);
  };
  if (values.format?.split(",").some((f) => f.trim().toLowerCase() !== "html")) {
    refuse(
      "--format",
      "Flink writes an html flame graph only; leave --format out (profile.mjs prints its top frames), or use --local / Kubernetes for collapsed or jfr",
    );
  }
  if (values.interval !== undefined)
    refuse("-i/--interval", "leave it out (Flink samples at async-profiler's default), or use --local / Kubernetes");
  if (values.threads)
    refuse(
      "-t/--threads",
      "leave it out (Flink's profile is of the whole JVM), or use --local / Kubernetes for per-thread stacks",
    );
  if ((values.include ?? []).length > 0 || (values.exclude ?? []).length > 0)
    refuse("-I/-X", "leave them out, or use --local / Kubernetes for filtered profiles");
  if (extraArgs.length > 0)
    refuse("options after --", "leave them out, or use --local / Kubernetes to pass options to async-profiler");
  // --operator chooses the TaskManagers itself; --rest-service is where a cluster's pods reach the JobManager.
  if (values["rest-service"] !== undefined)
    throw new UsageError(
      "--rest-service does not apply to --via rest: it names the REST Service as a cluster's pods see it",
      "drop --rest-service; --flink-rest is the address this machine reaches",
    );
  const wantsOperator = values.operator !== undefined || values.job !== undefined || values.tms !== undefined;
  if (wantsOperator && (values.tm ?? []).length > 0)
    throw new UsageError(
      "--tm and --operator both choose the TaskManagers to profile",
      "drop --tm to profile those of the operator's busiest subtasks, or drop --operator",
    );
  // --flink-rest is --via rest's own here, not one of the operator flags a refusal would list.
  const operator = wantsOperator ? parseOperatorSpec({ ...values, "flink-rest": undefined }) : undefined;
  const outputDir = values.output ?? "profiles";
  if (outputDir.trim() === "")
    throw new UsageError("output directory is empty", "pass -o DIR or leave -o out for ./profiles");
  const event = values.event === undefined ? "cpu" : parseEvent(values.event);
  flinkMode(event);
  return {
    kind: "rest",
    restUrl: parseRestUrl(values["flink-rest"]),
    taskManagers: [...new Set((values.tm ?? []).map(checkTaskManagerId))],
    duration: values.duration === undefined ? 60 : parseDuration(values.duration),
    event,
    outputDir,
    json: values.json ?? false,
    ...(operator ? { operator } : {}),
  };
}
