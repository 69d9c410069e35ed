// Command line of scripts/profile.mjs: argv in, a validated command out. Pure.
import { parseArgs } from "node:util";
import {
  UsageError,
  parseDuration,
  parseEvent,
  parseFormats,
  parseInterval,
  parsePid,
  type ProfileSettings,
} from "./profile-options.ts";

export interface LocalCommand {
  kind: "local";
  settings: ProfileSettings;
  /** Empty: every Flink TaskManager JVM on this machine. */
  pids: number[];
  outputDir: string;
  json: boolean;
}

export type ProfileCommand = { kind: "help" } | LocalCommand;

export const HELP = `Profile Apache Flink TaskManagers with async-profiler and bring the flame graphs home.

Usage:
  zx scripts/profile.mjs --local [options] [-- extra asprof args]

Targets:
  --local                profile Flink TaskManager JVMs running on this machine
  --pid N                profile this JVM only (repeatable); default: every TaskManager found

Profile:
  -d, --duration S       seconds to profile, 1-3600                       (default 60)
  -e, --event E          cpu, alloc, lock, wall, itimer, ctimer           (default cpu;
                         where perf events are blocked, cpu uses ctimer and says so)
  -i, --interval N       sampling interval, e.g. 10ms, 500us, 1000000     (default: async-profiler's)
  -t, --threads          split the flame graph by thread (Flink names task threads after the operator)
  -I, --include PATTERN  keep only stacks with a matching frame (repeatable)
  -X, --exclude PATTERN  drop stacks with a matching frame (repeatable)
  -- ARGS                further async-profiler options, passed through as they are

Output:
      --format LIST      html, collapsed, jfr; comma-separated, several from one run (default html)
  -o, --output DIR       where the files go                               (default ./profiles)
      --json             print one JSON document instead of the report:
                         {"targets":[{"target","pid","status","event","files":[...],
                                      "top":[{"frame","self","total"}],"error"?}]}
  -h, --help             this text

Ctrl-C stops the profiler in every target and keeps no half-written file.

Examples:
  zx scripts/profile.mjs --local -d 30
  zx scripts/profile.mjs --local --pid 4242 -e wall --format html,collapsed -o /tmp/flames
  zx scripts/profile.mjs --local -e alloc -I 'com/acme/*' -- --alloc 1m
`;

export function parseProfileCommand(argv: readonly string[]): ProfileCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        local: { type: "boolean" },
        pid: { type: "string", multiple: true },
        duration: { type: "string", short: "d" },
        event: { type: "string", short: "e" },
        interval: { type: "string", short: "i" },
        threads: { type: "boolean", short: "t" },
        include: { type: "string", short: "I", multiple: true },
        exclude: { type: "string", short: "X", multiple: true },
        format: { type: "string" },
        output: { type: "string", short: "o" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0] ?? "bad arguments", "run with --help to see every option");
  }
  const { values, positionals, tokens } = parsed;
  if (values.help) return { kind: "help" };

  // Positionals after "--" are asprof's; any before it are a mistake (a typo'd flag, a stray value).
  const terminator = tokens.find((t) => t.kind === "option-terminator");
  const extraArgs = terminator ? argv.slice(terminator.index + 1) : [];
  const stray = positionals.slice(0, positionals.length - extraArgs.length);
  if (stray.length > 0) {
    throw new UsageError(`unexpected argument "${stray[0]}"`, "put async-profiler options after --, e.g. -- --alloc 1m");
  }
  if (!values.local) {
    throw new UsageError("no target given", "add --local to profile TaskManagers on this machine (see --help)");
  }
  const outputDir = values.output ?? "profiles";
  if (outputDir.trim() === "") throw new UsageError("output directory is empty", "pass -o DIR or leave -o out for ./profiles");

  return {
    kind: "local",
    pids: (values.pid ?? []).map(parsePid),
    outputDir,
    json: values.json ?? false,
    settings: {
      duration: values.duration === undefined ? 60 : parseDuration(values.duration),
      event: values.event === undefined ? "cpu" : parseEvent(values.event),
      formats: values.format === undefined ? ["html"] : parseFormats(values.format),
      interval: values.interval === undefined ? undefined : parseInterval(values.interval),
      threads: values.threads ?? false,
      include: values.include ?? [],
      exclude: values.exclude ?? [],
      extraArgs,
    },
  };
}
