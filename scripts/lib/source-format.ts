// Which one file the helper sends (or writes, with --local), and how async-profiler's converter turns it
// into the other formats asked for. Pure: settings in, formats and converter options out.
//
// The helper never starts a JVM next to the TaskManager, so every format but the one it records is made
// on the user's side. It records the smallest lossless form: the jfr recording when jfr is asked for
// (after a jfr session the agent has nothing else to dump), else collapsed stacks with asprof's frame
// kinds (-a), from which a flame graph is coloured as asprof colours its own.
import type { ProfileFormat, ProfileSettings } from "./profile-options.ts";

export type SourceFormat = "jfr" | "collapsed";

export function sourceFormat(formats: readonly ProfileFormat[]): SourceFormat {
  return formats.includes("jfr") ? "jfr" : "collapsed";
}

/**
 * What the helper writes on this machine (--local): the source, and the flame graph too when the source is
 * collapsed stacks. The agent draws it with `asprof dump` after the session (one attach, tens of
 * milliseconds), where the converter would start a JVM here (about 0.6 s). In a cluster the TaskManager
 * sends the source alone, the smaller file, and the flame graph is drawn here.
 */
export function localHelperFormats(formats: readonly ProfileFormat[]): ProfileFormat[] {
  const source = sourceFormat(formats);
  return source === "collapsed" && formats.includes("html") ? ["collapsed", "html"] : [source];
}

/** Collapsed stacks alone come as they are (less their frame kinds); anything else goes through the converter. */
export function needsConverter(formats: readonly ProfileFormat[]): boolean {
  return formats.some((f) => f !== "collapsed");
}

const ANNOTATE = ["-a", "--ann"];

/** A person who passed asprof's -a wants the frame kinds in their collapsed file. */
export function keepsFrameKinds(settings: ProfileSettings): boolean {
  return settings.extraArgs.some((a) => ANNOTATE.includes(a));
}

/** The extra asprof arguments for the helper: -a added for a collapsed source, so html keeps its colours. */
export function sourceExtraArgs(settings: ProfileSettings): string[] {
  if (sourceFormat(settings.formats) !== "collapsed" || keepsFrameKinds(settings)) return settings.extraArgs;
  return [...settings.extraArgs, "-a"];
}

// The kinds asprof -a and jfrconv append to Java frames: compiled, inlined, interpreted, C1. asprof's
// plain collapsed output marks only kernel frames (_[k]), and the files people diff and merge, and
// the top frames, name frames that way; so the marks go, and only at the end of a frame.
const FRAME_KIND = /_\[[ji01]\](?=;| \d+$)/gm;

export function stripFrameKinds(collapsed: string): string {
  return collapsed.replace(FRAME_KIND, "");
}

/** asprof's -I/-X take globs ('*' any run of characters); jfrconv takes regular expressions over a whole frame. */
export function globToRegex(glob: string): string {
  return `^${glob
    .split("*")
    .map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, "\\$&"))
    .join(".*")}$`;
}

/** The value following `option` in asprof's extra arguments, the last one when repeated. */
function extraValue(extra: readonly string[], option: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < extra.length - 1; i++) if (extra[i] === option) value = extra[i + 1];
  return value;
}

// Naming options asprof applies when it writes collapsed or html itself; from a recording, jfrconv does.
const NAMING: Record<string, string> = {
  "-s": "--simple",
  "--simple": "--simple",
  "-n": "--norm",
  "--norm": "--norm",
  "--dot": "--dot",
  "--total": "--total",
};

/**
 * jfrconv's options to make `target` from the source file of a run with these settings. `event` is the
 * event really profiled (ctimer when cpu fell back): a recording is read for that event's samples.
 */
export function converterOptions(
  target: "html" | "collapsed",
  source: SourceFormat,
  settings: ProfileSettings,
  event: string,
): string[] {
  const options = ["-o", target];
  if (source === "jfr") {
    options.push(["cpu", "itimer", "ctimer"].includes(event) ? "--cpu" : `--${event}`);
    if (settings.threads) options.push("--threads");
    for (const p of settings.include) options.push("--include", globToRegex(p));
    for (const p of settings.exclude) options.push("--exclude", globToRegex(p));
    for (const a of new Set(settings.extraArgs.map((x) => NAMING[x]).filter((x) => x !== undefined))) options.push(a);
  }
  // A collapsed source already has asprof's threads, filters and naming in it; only drawing is left.
  if (target === "html") {
    const title = extraValue(settings.extraArgs, "--title");
    const minwidth = extraValue(settings.extraArgs, "--minwidth");
    if (title !== undefined) options.push("--title", title);
    if (minwidth !== undefined) options.push("--minwidth", minwidth);
  }
  return options;
}
