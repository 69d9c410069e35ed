// What a profile run may ask for, validated once, before anything starts. Pure.
// The in-image helper validates the same values again: it must be safe on its own.
import { sourceExtraArgs, sourceFormat } from "./source-format.ts";
import {
  EVENTS,
  FORMATS,
  HELPER_LIMITS,
  PASSTHROUGH_FLAGS,
  PASSTHROUGH_WITH_VALUE,
} from "../../components/helper-contract.ts";

// The helper's contract (images/flink-profiling/contract.json) is the one source of these.
export { EVENTS, FORMATS, PASSTHROUGH_FLAGS, PASSTHROUGH_WITH_VALUE };
export type ProfileEvent = (typeof EVENTS)[number];
export type ProfileFormat = (typeof FORMATS)[number];

/** A profile longer than an hour is almost certainly a typo (minutes for seconds). */
export const MAX_DURATION_SECONDS = HELPER_LIMITS.maxDurationSeconds;

export interface ProfileSettings {
  /** @default 60, as in async-profiler's own recipe */
  duration: number;
  /** @default "cpu" (falls back to ctimer where perf events are blocked) */
  event: ProfileEvent;
  /** @default ["html"] */
  formats: ProfileFormat[];
  interval?: string;
  threads: boolean;
  include: string[];
  exclude: string[];
  /** Passed to asprof as separate arguments; the helper refuses the options it controls. */
  extraArgs: string[];
}

/** An error a person can act on: what went wrong, and what to do about it. */
export class HintedError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** Bad input: refused before anything starts (exit status 2). */
export class UsageError extends HintedError {}

/** Runs a parser (node:util parseArgs, say), turning what it throws into a UsageError with `hint`. */
export function asUsageError<T>(hint: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0] ?? "bad arguments", hint);
  }
}

/** The largest pid accepted, as by the helper. */
export const MAX_PID = HELPER_LIMITS.maxPid;

/**
 * Numbers are decimal everywhere, with the helper's rules (its decimal_in): digits only, leading zeros
 * allowed and read as decimal (010 is 10, never octal 8), at most 15 digits without them. Undefined
 * for anything else (a sign, a fraction, hex, an exponent).
 */
export function parseDecimal(value: string): number | undefined {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const digits = trimmed.replace(/^0+(?=\d)/, "");
  return digits.length > 15 ? undefined : Number(digits);
}

/** parseDecimal's number when it is from `min` to `max`, else undefined (the helper's decimal_in). */
export function decimalIn(value: string, min: number, max: number): number | undefined {
  const n = parseDecimal(value);
  return n !== undefined && n >= min && n <= max ? n : undefined;
}

export function parseDuration(value: string): number {
  const seconds = parseDecimal(value);
  if (seconds === undefined) {
    throw new UsageError(`duration "${value}" is not a whole number of seconds`, "use e.g. -d 30 for 30 seconds");
  }
  if (seconds < 1 || seconds > MAX_DURATION_SECONDS) {
    throw new UsageError(
      `duration ${seconds} s is out of range`,
      `use between 1 and ${MAX_DURATION_SECONDS} seconds; 30-60 s is usually enough for a flame graph`,
    );
  }
  return seconds;
}

export function parseEvent(value: string): ProfileEvent {
  const event = value.trim().toLowerCase();
  if (!(EVENTS as readonly string[]).includes(event)) {
    throw new UsageError(`unknown event "${value}"`, `use one of: ${EVENTS.join(", ")}`);
  }
  return event as ProfileEvent;
}

export function parseFormats(value: string): ProfileFormat[] {
  const formats = value
    .split(",")
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean);
  if (formats.length === 0) throw new UsageError("no output format given", `use one or more of: ${FORMATS.join(",")}`);
  for (const f of formats) {
    if (!(FORMATS as readonly string[]).includes(f)) {
      const why = f === "svg" ? " (async-profiler dropped SVG; html is the interactive flame graph)" : "";
      throw new UsageError(`unknown format "${f}"${why}`, `use one or more of: ${FORMATS.join(",")}`);
    }
  }
  return [...new Set(formats)] as ProfileFormat[];
}

/** A decimal number from 1 with an optional unit, as asprof will read it: without leading zeros. */
export function parseInterval(value: string): string {
  const m = /^(\d+)(ns|us|ms|s)?$/.exec(value.trim());
  const n = m ? parseDecimal(m[1]!) : undefined;
  if (n === undefined || n < 1 || n > HELPER_LIMITS.maxIntervalNumber) {
    throw new UsageError(
      `interval "${value}" is not a positive number`,
      "use e.g. -i 10ms, -i 500us or -i 1000000 (ns); numbers are decimal",
    );
  }
  return `${n}${m![2] ?? ""}`;
}

export function parsePid(value: string): number {
  const pid = parseDecimal(value);
  if (pid === undefined || pid < 1 || pid > MAX_PID) {
    throw new UsageError(
      `pid "${value}" is not a process id`,
      "pass the numeric id of the TaskManager JVM, or leave --pid out to find it",
    );
  }
  return pid;
}

// asprof packs its options into one comma-separated string for the agent in the JVM: a comma in a value
// could add agent options of its own (file=...). The helper refuses them too; refusing here means no
// Job is created for a run that cannot start.
function agentSafe(what: string, value: string): string {
  if (value === "" || value.includes(",") || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new UsageError(
      `${what} "${value}" is empty or contains a comma or a control character`,
      "async-profiler cannot take such a value; use a pattern without commas",
    );
  }
  return value;
}

export function parsePattern(value: string): string {
  return agentSafe("pattern", value);
}

/** Checks what follows `--` against the contract's pass-through lists: options that shape sampling or drawing. */
export function parseExtraArgs(args: readonly string[]): string[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if ((PASSTHROUGH_WITH_VALUE as readonly string[]).includes(arg)) {
      const value = args[++i];
      if (value === undefined)
        throw new UsageError(`async-profiler option ${arg} needs a value`, `e.g. -- ${arg} VALUE`);
      agentSafe(`the value of ${arg}`, value);
    } else if (!(PASSTHROUGH_FLAGS as readonly string[]).includes(arg)) {
      throw new UsageError(
        `async-profiler option "${arg}" may not pass through`,
        "only options that shape sampling or drawing pass (e.g. -- --alloc 1m, --cstack vm, --title T); event, duration, interval, filters and threads have options of their own",
      );
    }
  }
  return [...args];
}

/**
 * The helper's arguments for these settings: one array element per value, never a command string. It is
 * asked for the one file every asked format is made from on this side (source-format.ts); asking for
 * exactly that also makes an older helper image send no more than it.
 */
export function helperArgs(
  settings: ProfileSettings,
  transport: { maxRecordsBytes?: number; formats?: readonly ProfileFormat[] } = {},
): string[] {
  // Progress every second keeps the countdown a person watches moving; it is one short line per second.
  const args = [
    "--duration",
    String(settings.duration),
    "--event",
    settings.event,
    "--format",
    (transport.formats ?? [sourceFormat(settings.formats)]).join(","),
    "--progress-every",
    "1",
  ];
  if (transport.maxRecordsBytes !== undefined) args.push("--max-records-size", String(transport.maxRecordsBytes));
  if (settings.interval) args.push("--interval", settings.interval);
  if (settings.threads) args.push("--threads");
  for (const p of settings.include) args.push("--include", p);
  for (const p of settings.exclude) args.push("--exclude", p);
  const extra = sourceExtraArgs(settings);
  if (extra.length > 0) args.push("--", ...extra);
  return args;
}
