// `npm run bench:transport`: the bytes a profiling Job's log carries per flame graph delivered, as a
// ratio of the flame graph's size, on real profiles of the sample job (a local Flink TaskManager, the real
// helper and asprof). Each round profiles the same JVM four times, D seconds each, alternating:
//  - today: what the CLI had the helper send before the formats were made on the user's side: asprof's
//    html and collapsed (`-f html`), or jfr, html and collapsed (`-f html,jfr`, html and collapsed then
//    made by jfrconv in the TaskManager; here the same conversion runs on this side), each file encoded
//    by the helper's own `encode`;
//  - now: exactly what a Job runs (`flink-profiler profile --emit-records` + helperArgs), its records
//    decoded and the html drawn here as profile.mjs does.
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { asyncProfilerHome, helperPath } from "../helper-events.ts";
import { startLocalFlink } from "../../demo/local-flink/index.ts";
import type { ProfileFormat, ProfileSettings } from "../profile-options.ts";
import { helperArgs } from "../profile-options.ts";
import { deliverFormats } from "../render-formats.ts";
import { runHelper } from "../run-helper.ts";
import { sourceFormat } from "../source-format.ts";
import { decodeRecords } from "../transport.ts";
import { median } from "./bench-stats.ts";

const env = () => ({ ...process.env, ASYNC_PROFILER_HOME: asyncProfilerHome() });
const isRecord = (line: string) => /^\{"type":"(file|chunk|end)"/.test(line);
const recordBytes = (lines: readonly string[]) =>
  lines.filter(isRecord).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);

async function helperLines(args: string[]): Promise<{ lines: string[]; event: string }> {
  const run = await runHelper([helperPath(), ...args], { env: env() });
  if (run.exitCode !== 0)
    throw new Error(
      `flink-profiler ${args[0]} failed: ${JSON.stringify(run.events.find((e) => e.type === "error") ?? run.stderrTail)}`,
    );
  const started = run.events.find((e) => e.type === "started");
  return {
    lines: run.events.map((e) => JSON.stringify(e)),
    event: started?.type === "started" ? started.event : "cpu",
  };
}

interface Sample {
  logBytes: number;
  htmlBytes: number;
  htmlOwnBytes?: number;
}

/** Today's log for these formats: the helper wrote them next to the JVM; `encode` makes the records it sent. */
async function today(pid: number, settings: ProfileSettings, dir: string): Promise<Sample> {
  await mkdir(dir, { recursive: true });
  const jfr = settings.formats.includes("jfr");
  const files: Partial<Record<ProfileFormat, string>> = {};
  if (jfr) {
    // The recording, then html and collapsed made from it as the helper's jfrconv used to (deliverFormats
    // consumes its source, so it gets a copy).
    const { event } = await helperLines([
      "profile",
      "--pid",
      String(pid),
      "-o",
      dir,
      "--name",
      "p",
      ...helperArgs(settings),
    ]);
    files.jfr = path.join(dir, "p.jfr");
    await copyFile(files.jfr, path.join(dir, "src.jfr"));
    await deliverFormats({
      source: path.join(dir, "src.jfr"),
      sourceFormat: "jfr",
      settings: { ...settings, formats: ["html", "collapsed"] },
      event,
      base: path.join(dir, "p"),
    });
  } else {
    await helperLines([
      "profile",
      "--pid",
      String(pid),
      "-o",
      dir,
      "--name",
      "p",
      "--duration",
      String(settings.duration),
      "--format",
      "html,collapsed",
      "--progress-every",
      "1",
    ]);
  }
  files.html = path.join(dir, "p.html");
  files.collapsed = path.join(dir, "p.collapsed");
  const all = (await helperLines(["encode", ...Object.values(files)])).lines;
  const htmlOnly = (await helperLines(["encode", files.html])).lines;
  return { logBytes: recordBytes(all), htmlBytes: (await stat(files.html)).size, htmlOwnBytes: recordBytes(htmlOnly) };
}

/** Now: the Job's own command; the html is drawn here from the one file that crossed the log. */
async function now(pid: number, settings: ProfileSettings, dir: string): Promise<Sample> {
  await mkdir(dir, { recursive: true });
  const { lines, event } = await helperLines([
    "profile",
    "--emit-records",
    "--pid",
    String(pid),
    "-o",
    dir,
    ...helperArgs(settings),
  ]);
  const { files, errors } = decodeRecords(lines);
  if (errors.length > 0 || files.length !== 1)
    throw new Error(`unexpected records: ${JSON.stringify(errors)} ${files.length} files`);
  const source = path.join(dir, `source.${files[0]!.format}`);
  await writeFile(source, files[0]!.bytes);
  await deliverFormats({
    source,
    sourceFormat: sourceFormat(settings.formats),
    settings,
    event,
    base: path.join(dir, "p"),
  });
  return { logBytes: recordBytes(lines), htmlBytes: (await stat(path.join(dir, "p.html"))).size };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export async function runTransportBench({ duration, rounds }: { duration: number; rounds: number }): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const work = await mkdtemp(path.join(os.tmpdir(), "flink-profiling-bench-transport-"));
  process.stderr.write("bench: starting Flink (JobManager + 1 TaskManager) with the sample job\n");
  const flink = await startLocalFlink({ taskManagers: 1 });
  try {
    const pid = flink.taskManagers[0]!.pid;
    process.stderr.write(`bench: TaskManager pid ${pid}; warming up the job for 20 s\n`);
    await flink.throughput(20);
    const cases: [string, ProfileFormat[]][] = [
      ["-f html", ["html"]],
      ["-f html,jfr", ["html", "jfr"]],
    ];
    const results = new Map<string, { today: Sample[]; now: Sample[] }>(
      cases.map(([name]) => [name, { today: [], now: [] }]),
    );
    for (let r = 0; r < rounds; r++) {
      for (const [name, formats] of cases) {
        process.stderr.write(`bench: round ${r + 1}/${rounds}, ${name} (2 × ${duration} s)\n`);
        const settings: ProfileSettings = {
          duration,
          event: "cpu",
          formats,
          threads: false,
          include: [],
          exclude: [],
          extraArgs: [],
        };
        const dir = path.join(work, `${r}-${formats.join("-")}`);
        results.get(name)!.today.push(await today(pid, settings, path.join(dir, "today")));
        results.get(name)!.now.push(await now(pid, settings, path.join(dir, "now")));
      }
    }
    say(
      `# bytes through a profiling Job's log per html flame graph delivered (${duration} s cpu profiles of the sample job, ${rounds} rounds, medians)`,
    );
    say(
      "case            log today   html today  ratio today   log now     html now    ratio now   html's own bytes today -> now",
    );
    for (const [name] of cases) {
      const { today: t, now: n } = results.get(name)!;
      const ratio = (s: Sample[]) => median(s.map((x) => x.logBytes / x.htmlBytes));
      const own = median(t.map((x) => x.htmlOwnBytes! / x.htmlBytes));
      say(
        `${name.padEnd(15)} ${kib(median(t.map((x) => x.logBytes))).padEnd(11)} ${kib(median(t.map((x) => x.htmlBytes))).padEnd(11)} ${ratio(t).toFixed(2).padEnd(13)} ` +
          `${kib(median(n.map((x) => x.logBytes))).padEnd(11)} ${kib(median(n.map((x) => x.htmlBytes))).padEnd(11)} ${ratio(n).toFixed(2).padEnd(11)} ${own.toFixed(2)} -> 0.00`,
      );
    }
    // "Own bytes": what asking for html adds to the log. The helper is now asked for the same file with or without html.
    const same =
      JSON.stringify(
        helperArgs({
          duration,
          event: "cpu",
          formats: ["html"],
          threads: false,
          include: [],
          exclude: [],
          extraArgs: [],
        }),
      ) ===
      JSON.stringify(
        helperArgs({
          duration,
          event: "cpu",
          formats: ["collapsed"],
          threads: false,
          include: [],
          exclude: [],
          extraArgs: [],
        }),
      );
    say(
      `html adds nothing to the log now: the Job's helper arguments for -f html and -f collapsed are ${same ? "identical" : "DIFFERENT"}`,
    );
    return same ? 0 : 1;
  } finally {
    await flink.stop();
    await rm(work, { recursive: true, force: true });
  }
}
