// The command line of `profile.mjs report | diff | merge`, on profiles already on disk: argv in, a
// validated command out. Pure: whether the files exist and what they hold is checked when they are read.
import { parseArgs } from "node:util";
import { UsageError, asUsageError, decimalIn } from "../profile-options.ts";
import { grepPattern } from "./grep-pattern.ts";

export const ANALYSIS_COMMANDS = ["report", "diff", "merge"] as const;
export type AnalysisKind = (typeof ANALYSIS_COMMANDS)[number];

export interface ReportCommand {
  kind: "report";
  /** Files and folders, read together as one profile. */
  inputs: string[];
  /** @default 10 */
  top: number;
  grep?: string;
  threads: boolean;
  json: boolean;
}

export interface DiffCommand {
  kind: "diff";
  base: string;
  next: string;
  /** @default "profiles" */
  outputDir: string;
  top: number;
  json: boolean;
}

export interface MergeCommand {
  kind: "merge";
  inputs: string[];
  /** OUT.collapsed and OUT.html are written. */
  output: string;
  top: number;
  json: boolean;
}

export type AnalysisCommand = ReportCommand | DiffCommand | MergeCommand;

export const isAnalysisCommand = (word: string | undefined): word is AnalysisKind =>
  (ANALYSIS_COMMANDS as readonly string[]).includes(word ?? "");

const OPTIONS = {
  top: { type: "string" },
  grep: { type: "string" },
  threads: { type: "boolean", short: "t" },
  output: { type: "string", short: "o" },
  json: { type: "boolean" },
} as const;

// Which options each command takes; any other is refused, with the command named.
const ALLOWED: Record<AnalysisKind, readonly string[]> = {
  report: ["top", "grep", "threads", "json"],
  diff: ["top", "output", "json"],
  merge: ["top", "output", "json"],
};

/** `argv` without the command word itself. */
export function parseAnalysisCommand(kind: AnalysisKind, argv: readonly string[]): AnalysisCommand {
  const parsed = asUsageError(`run with --help to see what ${kind} takes`, () =>
    parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS }),
  );
  const { values, positionals } = parsed;
  const given = Object.keys(values).filter((k) => values[k as keyof typeof values] !== undefined);
  const foreign = given.find((k) => !ALLOWED[kind].includes(k));
  if (foreign)
    throw new UsageError(
      `${kind} takes no --${foreign}`,
      `${kind} takes ${ALLOWED[kind].map((o) => `--${o}`).join(", ")}`,
    );
  const top = values.top === undefined ? 10 : parseTop(values.top);
  const json = values.json ?? false;
  if (kind === "diff") {
    if (positionals.length !== 2) {
      throw new UsageError(
        `diff compares two profiles, got ${positionals.length}`,
        "e.g. profile.mjs diff profiles/before/tm-0.collapsed profiles/after/tm-0.collapsed",
      );
    }
    return {
      kind,
      base: positionals[0]!,
      next: positionals[1]!,
      outputDir: outputPath(values.output ?? "profiles"),
      top,
      json,
    };
  }
  if (positionals.length === 0)
    throw new UsageError(
      `${kind} needs at least one profile file or folder`,
      `e.g. profile.mjs ${kind} profiles/orders/RUN_ID${kind === "merge" ? " -o profiles/orders-merged" : ""}`,
    );
  if (kind === "merge") {
    if (values.output === undefined)
      throw new UsageError(
        "merge needs -o OUT",
        "e.g. -o profiles/orders-merged writes orders-merged.collapsed and orders-merged.html",
      );
    return {
      kind,
      inputs: positionals,
      output: outputPath(values.output).replace(/\.(collapsed|html)$/, ""),
      top,
      json,
    };
  }
  return {
    kind,
    inputs: positionals,
    top,
    grep: values.grep === undefined ? undefined : parseGrep(values.grep),
    threads: values.threads ?? false,
    json,
  };
}

function parseTop(value: string): number {
  const n = decimalIn(value, 1, 1000);
  if (n === undefined) throw new UsageError(`--top "${value}" is not a number from 1 to 1000`, "e.g. --top 20");
  return n;
}

function parseGrep(value: string): string {
  if (value === "")
    throw new UsageError(
      "--grep pattern is empty",
      "e.g. --grep json (a regular expression; case-insensitive unless it has a capital letter)",
    );
  try {
    grepPattern(value);
  } catch (err) {
    throw new UsageError(
      `--grep "${value}" is not a regular expression: ${(err as Error).message}`,
      "escape special characters, e.g. --grep 'String\\.format' or --grep '\\$Lambda'",
    );
  }
  return value;
}

function outputPath(value: string): string {
  if (value.trim() === "") throw new UsageError("-o is empty", "pass -o PATH");
  return value;
}
