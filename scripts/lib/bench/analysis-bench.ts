// `npm run bench:analysis`: `profile.mjs report` against today's summarizeCollapsed path on the same
// generated 32 MB collapsed file with 20,000 distinct stacks, in the same run, each case in a process of
// its own (wall time as a user waits for it, peak RSS); then `diff` of two such files against
// async-profiler's converter alone doing the same differential flame graph.
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { execa } from "execa";
import { jfrconvPath } from "../analysis/converter.ts";
import { syntheticCollapsed, type SyntheticOptions } from "../analysis/synthetic-profile.ts";

const CHILD = path.join(import.meta.dirname, "analysis-bench-child.mjs");

interface Run {
  seconds: number;
  maxRssMb?: number;
  /** CPU of the measured process itself: steady on a machine that others share too. */
  cpuSeconds?: number;
}

async function timed(command: string, args: string[]): Promise<Run> {
  const started = process.hrtime.bigint();
  const run = await execa(command, args, { stdin: "ignore", stdout: "ignore", reject: false });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.failed)
    throw new Error(
      `${path.basename(command)} ${args.slice(0, 2).join(" ")} exited ${run.exitCode ?? run.signal}: ${String(run.stderr || run.shortMessage).slice(-500)}`,
    );
  // The child's last stderr line: its own peak RSS and CPU (analysis-bench-child.mjs).
  const last = run.stderr.trim().split("\n").pop() ?? "";
  return { seconds, ...(last.startsWith("{") ? (JSON.parse(last) as Omit<Run, "seconds">) : {}) };
}

const median = (runs: Run[], key: "seconds" | "maxRssMb" | "cpuSeconds") => {
  const xs = runs.map((r) => r[key] ?? 0).sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
};

async function generate(file: string, opts: SyntheticOptions): Promise<number> {
  await pipeline(Readable.from(syntheticCollapsed(opts)), createWriteStream(file));
  return (await stat(file)).size;
}

export async function runAnalysisBench({ rounds }: { rounds: number }): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-analysis-"));
  try {
    const spec = { stacks: 20_000, bytes: 32 * 1024 * 1024 };
    const a = path.join(work, "before.collapsed");
    const b = path.join(work, "after.collapsed");
    const size = await generate(a, { ...spec, seed: 1 });
    await generate(b, { ...spec, seed: 2 });
    const node = process.execPath;
    // Unmeasured: fills Node's compile cache, which profile.mjs uses, for both cases alike.
    await timed(node, [CHILD, "old", a]);
    await timed(node, [CHILD, "cli", "report", a, "--json"]);
    const old: Run[] = [];
    const report: Run[] = [];
    const diff: Run[] = [];
    const jfrconv: Run[] = [];
    for (let r = 0; r < rounds; r++) {
      process.stderr.write(`bench: round ${r + 1}/${rounds}\n`);
      old.push(await timed(node, [CHILD, "old", a]));
      report.push(await timed(node, [CHILD, "cli", "report", a, "--json"]));
      diff.push(await timed(node, [CHILD, "cli", "diff", a, b, "-o", work, "--json"]));
      jfrconv.push(await timed(jfrconvPath(), ["--diff", "-o", "html", a, b, path.join(work, "jfrconv-alone.html")]));
    }
    const [o, n, d, j] = [
      median(old, "seconds"),
      median(report, "seconds"),
      median(diff, "seconds"),
      median(jfrconv, "seconds"),
    ];
    const [oRss, nRss, dRss] = [median(old, "maxRssMb"), median(report, "maxRssMb"), median(diff, "maxRssMb")];
    const [oCpu, nCpu, dCpu] = [median(old, "cpuSeconds"), median(report, "cpuSeconds"), median(diff, "cpuSeconds")];
    const f = (x: number, digits = 2) => x.toFixed(digits);
    say(
      `# profile analysis benchmark (${os.cpus().length} cores, ${rounds} rounds, medians; each case a process of its own)`,
    );
    say(
      `input                                  ${f(size / 1024 / 1024, 1)} MB collapsed, ${spec.stacks} distinct stacks (and a second one for diff)`,
    );
    say(`old: readFile + summarizeCollapsed     ${f(o)} s  (CPU ${f(oCpu)} s)  ${f(oRss, 0)} MB RSS`);
    say(`new: profile.mjs report --json         ${f(n)} s  (CPU ${f(nCpu)} s)  ${f(nRss, 0)} MB RSS`);
    say(
      `report vs old                          ${f(o / n, 1)}× faster (CPU ${f(oCpu / nCpu, 1)}×; goal ≥ 4.5×), ${f(oRss / nRss, 1)}× less memory; RSS goal ≤ 150 MB`,
    );
    say(
      `profile.mjs diff (two files)           ${f(d)} s  (own CPU ${f(dCpu)} s)  ${f(dRss, 0)} MB RSS (ours; jfrconv runs in its own JVM)`,
    );
    say(`jfrconv --diff alone                   ${f(j)} s`);
    say(`diff beyond jfrconv's own time         ${f(d - j)} s (goal < 1 s)`);
    const ok = o / n >= 4.5 && nRss <= 150 && d - j < 1;
    say(ok ? "all goals met" : "GOAL MISSED");
    return ok ? 0 : 1;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
