// Command line of scripts/profile.mjs: argv in, a validated command out. Pure. Its --help text: profile-help.ts.
import { parseArgs } from "node:util";
import {
  UsageError,
  asUsageError,
  parseDuration,
  parseExtraArgs,
  parsePattern,
  parseEvent,
  parseFormats,
  parseInterval,
  parsePid,
  type ProfileFormat,
  type ProfileSettings,
} from "./profile-options.ts";
import {
  CLUSTER_OPTIONS,
  hasClusterFlags,
  parseChoice,
  parseConcurrency,
  parseKubeTarget,
  parseRunId,
  parseMaxFileMiB,
  parseMaxResultMiB,
  parseStartTimeout,
  parseVia,
  type CleanupCommand,
  type ClusterCommand,
  type ClusterValues,
  type DoctorCommand,
} from "./cluster/cluster-cli.ts";
import { isAnalysisCommand, parseAnalysisCommand, type AnalysisCommand } from "./analysis/analysis-cli.ts";
import {
  OPERATOR_OPTIONS,
  hasOperatorFlags,
  parseClusterOperatorTarget,
  parseOperatorTarget,
  parseOperatorsCommand,
  type OperatorTarget,
  type OperatorValues,
  type OperatorsCommand,
} from "./flink-rest/operators-cli.ts";
import { parseRestCommand, type RestCommand } from "./flink-rest/rest-cli.ts";
import { parseRestUrl } from "./flink-rest/http.ts";

export interface LocalCommand {
  kind: "local";
  settings: ProfileSettings;
  /** Empty: every Flink TaskManager JVM on this machine. */
  pids: number[];
  outputDir: string;
  json: boolean;
  /** --operator: profile the TaskManagers of this operator's busiest subtasks, and slice to its threads. */
  operator?: OperatorTarget;
}

export type ProfileCommand =
  | { kind: "help" }
  | LocalCommand
  | ClusterCommand
  | CleanupCommand
  | DoctorCommand
  | AnalysisCommand
  | OperatorsCommand
  | RestCommand;

const SUBCOMMANDS = ["cleanup", "doctor", "operators"] as const;

const OPTIONS = {
  local: { type: "boolean" },
  pid: { type: "string", multiple: true },
  duration: { type: "string", short: "d" },
  event: { type: "string", short: "e" },
  interval: { type: "string", short: "i" },
  threads: { type: "boolean", short: "t" },
  include: { type: "string", short: "I", multiple: true },
  exclude: { type: "string", short: "X", multiple: true },
  format: { type: "string", short: "f" },
  output: { type: "string", short: "o" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  // --via rest's TaskManagers; --flink-rest (the JobManager's REST address, validated by parseRestUrl) is
  // among OPERATOR_OPTIONS.
  tm: { type: "string", multiple: true },
  ...CLUSTER_OPTIONS,
  ...OPERATOR_OPTIONS,
} as const;

/**
 * `--start-timeout -1`: parseArgs takes a value that starts with a dash for an option of its own and
 * calls the argument ambiguous. A negative number is never an option, so it is joined to its option
 * (`--start-timeout=-1`) and refused by that option's own check, which says what is wrong with it.
 */
function joinNegativeNumbers(argv: readonly string[]): string[] {
  const takesValue = new Map<string, string>();
  for (const [name, o] of Object.entries(OPTIONS) as [string, { type: string; short?: string }][]) {
    if (o.type !== "string") continue;
    takesValue.set(`--${name}`, name);
    if (o.short) takesValue.set(`-${o.short}`, name);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return out.concat(argv.slice(i));
    const name = takesValue.get(arg);
    const next = argv[i + 1];
    if (name !== undefined && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

export function parseProfileCommand(argv: readonly string[]): ProfileCommand {
  const first = argv[0];
  if (isAnalysisCommand(first)) {
    const rest = argv.slice(1);
    return rest.includes("--help") || rest.includes("-h") ? { kind: "help" } : parseAnalysisCommand(first, rest);
  }
  const sub = SUBCOMMANDS.find((s) => s === argv[0]);
  argv = joinNegativeNumbers(sub ? argv.slice(1) : argv);
  const parsed = asUsageError("run with --help to see every option", () =>
    parseArgs({ args: [...argv], allowPositionals: true, strict: true, tokens: true, options: OPTIONS }),
  );
  const { values, positionals, tokens } = parsed;
  if (values.help) return { kind: "help" };

  // Positionals after "--" are asprof's; any before it are a mistake (a typo'd flag, a stray value).
  const terminator = tokens.find((t) => t.kind === "option-terminator");
  const extraArgs = terminator ? argv.slice(terminator.index + 1) : [];
  const stray = positionals.slice(0, positionals.length - extraArgs.length);
  if (stray.length > 0) {
    throw new UsageError(
      `unexpected argument "${stray[0]}"`,
      "put async-profiler options after --, e.g. -- --alloc 1m",
    );
  }
  const cluster: ClusterValues = {
    namespace: values.namespace,
    cluster: values.cluster,
    selector: values.selector,
    pod: values.pod,
    context: values.context,
    kubeconfig: values.kubeconfig,
    keep: values.keep,
    "dry-run": values["dry-run"],
    via: values.via,
    concurrency: values.concurrency,
    "start-timeout": values["start-timeout"],
    "max-result-mib": values["max-result-mib"],
    "max-file-mib": values["max-file-mib"],
    run: values.run,
  };
  const operator: OperatorValues = {
    "flink-rest": values["flink-rest"],
    job: values.job,
    operator: values.operator,
    tms: values.tms,
    "rest-service": values["rest-service"],
  };
  if (sub === "operators") {
    const allowed = [
      "flink-rest",
      "job",
      "json",
      "operator",
      "tms",
      "rest-service",
      "namespace",
      "cluster",
      "context",
      "kubeconfig",
    ];
    const other = Object.keys(values).find((k) => !allowed.includes(k));
    if (other !== undefined || extraArgs.length > 0) {
      throw new UsageError(
        `operators reads Flink's REST API only; --${other ?? "-"} does not apply`,
        "profile.mjs operators --flink-rest URL | -n NS --cluster NAME [--job ID] [--json]",
      );
    }
    // In a cluster the answers come through a TaskManager of it (no right to the REST API needed).
    const inCluster = hasClusterFlags(cluster)
      ? { kube: parseKubeTarget(cluster), choice: parseChoice(cluster, true)! }
      : undefined;
    return parseOperatorsCommand(operator, values.json ?? false, inCluster);
  }
  // doctor --flink-rest checks the REST driver; the other operator flags belong to no subcommand here.
  if (
    sub !== undefined &&
    hasOperatorFlags({ ...operator, ...(sub === "doctor" ? { "flink-rest": undefined } : {}) })
  ) {
    throw new UsageError(
      `${sub} does not take --job, --operator, --tms or --rest-service${sub === "doctor" ? "" : " or --flink-rest"}`,
      "drop them",
    );
  }
  if (sub === "cleanup") {
    return {
      kind: "cleanup",
      kube: parseKubeTarget(cluster),
      runId: parseRunId(cluster.run),
      dryRun: cluster["dry-run"] ?? false,
    };
  }
  if (sub === "doctor") {
    const doctor: DoctorCommand = {
      kind: "doctor",
      kube: parseKubeTarget(cluster),
      choice: parseChoice(cluster, false),
      via: parseVia(cluster.via === "rest" ? undefined : cluster.via),
    };
    if (cluster.via === "rest" && values["flink-rest"] === undefined)
      throw new UsageError("doctor --via rest needs the JobManager's REST address", "add --flink-rest URL");
    if (values["flink-rest"] === undefined) return doctor;
    // `doctor --flink-rest URL` alone checks only the REST driver; with Kubernetes flags, both.
    return {
      ...doctor,
      restUrl: parseRestUrl(values["flink-rest"]),
      kubernetes: hasClusterFlags({ ...cluster, via: undefined }),
    };
  }
  if (cluster.via === "rest") {
    const kubeFlags = Object.entries(cluster)
      .filter(([k, v]) => k !== "via" && v !== undefined)
      .map(([k]) => `--${k}`);
    return parseRestCommand(values, kubeFlags, extraArgs);
  }
  if (values.tm !== undefined) {
    throw new UsageError(
      "--tm is for --via rest",
      "e.g. profile.mjs --via rest --flink-rest http://127.0.0.1:8081 --tm tm-1",
    );
  }
  if (values.local && hasClusterFlags(cluster)) {
    throw new UsageError(
      "--local profiles this machine; the Kubernetes flags do not apply",
      "drop --local, or drop -n/--cluster/--pod/--context and friends",
    );
  }
  if (!values.local && values.pid)
    throw new UsageError("--pid is for --local", "on Kubernetes choose pods with --pod NAME");
  if (!values.local && !hasClusterFlags(cluster)) {
    throw new UsageError(
      "no target given",
      "add -n NS --cluster NAME for a Kubernetes cluster, or --local for this machine (see --help)",
    );
  }
  if (cluster.run !== undefined)
    throw new UsageError("--run is for cleanup", "e.g. profile.mjs cleanup -n flink --run ID");
  const outputDir = values.output ?? "profiles";
  if (outputDir.trim() === "")
    throw new UsageError("output directory is empty", "pass -o DIR or leave -o out for ./profiles");
  const settings = parseSettings(values, extraArgs);
  if (!values.local) {
    const target = parseClusterOperatorTarget(operator);
    if (target && (cluster["dry-run"] || parseVia(cluster.via) === "exec")) {
      throw new UsageError(
        `--operator cannot be combined with ${cluster["dry-run"] ? "--dry-run" : "--via exec"}: choosing the operator reads Flink's REST API through a profiling Job first`,
        "see what it would choose with: profile.mjs operators -n NS --cluster NAME",
      );
    }
    return {
      kind: "cluster",
      ...(target ? { operator: target } : {}),
      kube: parseKubeTarget(cluster),
      choice: parseChoice(cluster, true)!,
      // Slicing by operator needs a thread frame on every stack.
      settings: target ? { ...settings, threads: true } : settings,
      outputDir,
      json: values.json ?? false,
      keep: cluster.keep ?? false,
      dryRun: cluster["dry-run"] ?? false,
      via: parseVia(cluster.via),
      concurrency: parseConcurrency(cluster.concurrency),
      startTimeout: parseStartTimeout(cluster["start-timeout"]),
      maxResultMiB: parseMaxResultMiB(cluster["max-result-mib"], parseVia(cluster.via)),
      maxFileMiB: parseMaxFileMiB(cluster["max-file-mib"]),
    };
  }
  // --local hands the directory to asprof inside an agent option string, where a comma would end the path.
  if (/[,\p{Cc}]/u.test(outputDir)) {
    throw new UsageError(
      `output directory ${JSON.stringify(outputDir)} has a comma or a control character, which async-profiler's agent cannot take in a path`,
      "choose a directory name without them",
    );
  }
  const pids = (values.pid ?? []).map(parsePid);
  const target = parseOperatorTarget(operator, { pids: pids.length });
  return {
    kind: "local",
    pids,
    outputDir,
    json: values.json ?? false,
    // Slicing by operator needs a thread frame on every stack.
    settings: target ? { ...settings, threads: true } : settings,
    ...(target ? { operator: target } : {}),
  };
}

interface SettingValues {
  duration?: string;
  event?: string;
  format?: string;
  interval?: string;
  threads?: boolean;
  include?: string[];
  exclude?: string[];
}

function parseSettings(values: SettingValues, extraArgs: string[]): ProfileSettings {
  const formats = values.format === undefined ? (["html"] as ProfileFormat[]) : parseFormats(values.format);
  // The helper records jfr only when jfr is asked for (source-format.ts); asprof would otherwise write a
  // jfr recording under the collapsed file's name.
  if (extraArgs.includes("--jfropts") && !formats.includes("jfr")) {
    throw new UsageError(
      "--jfropts shapes a jfr recording, and this run records none",
      "add jfr to the formats (-f jfr or -f html,jfr), or drop --jfropts",
    );
  }
  return {
    duration: values.duration === undefined ? 60 : parseDuration(values.duration),
    event: values.event === undefined ? "cpu" : parseEvent(values.event),
    formats,
    interval: values.interval === undefined ? undefined : parseInterval(values.interval),
    threads: values.threads ?? false,
    include: (values.include ?? []).map(parsePattern),
    exclude: (values.exclude ?? []).map(parsePattern),
    extraArgs: parseExtraArgs(extraArgs),
  };
}
