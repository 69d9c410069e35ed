// Two numbers a platform team asks before it trusts a profiler in production, measured against a baseline
// taken in the same run on the same JVM:
//  1. our own layer: wall time of `profile.mjs --local --pid P -d D` against plain `asprof -d D -f x.html`
//     (beyond D, and as a ratio), with where the difference goes (Node and our modules, the helper's own
//     profile run, and what is left: Node's own work around the helper);
//  2. the job's cost: the TaskManager's CPU time per record (from /proc/PID/stat) while a default cpu profile
//     runs, against the same job not profiled; throughput beside it. CPU per record is far less noisy than
//     throughput on a small machine, where other work moves records/s by ±10 % from round to round.
// Rounds alternate the measured and the baseline case so drift (JIT warm-up, a busy neighbour) hits both.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startLocalFlink } from "../../demo/local-flink/index.ts";
import { clockTicksPerSecond, cpuSeconds, median, spread, timed } from "./bench-stats.ts";
import { asyncProfilerHome, helperPath } from "../helper-events.ts";

const scripts = path.resolve(import.meta.dirname, "../..");
const f = (n: number, digits = 2) => n.toFixed(digits);
const pct = (x: number) => `${f(x * 100, 1)} %`;

export async function runBench({ duration, rounds }: { duration: number; rounds: number }): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const note = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const work = await mkdtemp(path.join(os.tmpdir(), "flink-profiling-bench-"));
  note("starting Flink (JobManager + 1 TaskManager) with the sample job");
  const flink = await startLocalFlink({ taskManagers: 1 });
  try {
    const tm = flink.taskManagers[0]!;
    const asprof = path.join(asyncProfilerHome(), "bin", "asprof");
    const helper = helperPath();
    process.env.ASYNC_PROFILER_HOME ??= asyncProfilerHome();
    note(`TaskManager pid ${tm.pid}; warming up the job for 20 s`);
    await flink.throughput(20);

    const plain: number[] = [];
    const ours: number[] = [];
    const node: number[] = [];
    const helperRun: number[] = [];
    for (let r = 0; r < rounds; r++) {
      note(`wall-time round ${r + 1}/${rounds} (3 × ${duration} s)`);
      plain.push(await timed(asprof, ["-d", `${duration}`, "-f", path.join(work, `plain-${r}.html`), `${tm.pid}`]));
      const out = path.join(work, `ours-${r}`);
      ours.push(
        await timed(process.execPath, [
          path.join(scripts, "profile.mjs"),
          ...["--local", "--pid", `${tm.pid}`, "-d", `${duration}`, "-o", out],
        ]),
      );
      // The parts of our run: Node with our modules, the helper's own profile (with --pid, no JVM list).
      node.push(await timed(process.execPath, [path.join(scripts, "profile.mjs"), "--help"]));
      const own = path.join(work, `helper-${r}`);
      await mkdir(own);
      helperRun.push(
        await timed(helper, ["--pid", `${tm.pid}`, "-d", `${duration}`, "-f", "collapsed,html", "-o", own, "--", "-a"]),
      );
    }

    const ticks = await clockTicksPerSecond();
    const window = Math.max(20, duration * 2);
    type Case = { rps: number; cpuUs: number };
    const measure = async (): Promise<Case> => {
      const w = await flink.window(window, () => cpuSeconds(tm.pid, ticks));
      return { rps: w.records / w.seconds, cpuUs: ((w.marks[1] - w.marks[0]) / w.records) * 1e6 };
    };
    const idle: Case[] = [];
    const profiled: Case[] = [];
    for (let r = 0; r < rounds; r++) {
      note(`cost round ${r + 1}/${rounds} (2 × ${window} s)`);
      idle.push(await measure());
      // A default cpu profile that outlasts the window, started just before it.
      const profile = timed(asprof, ["-d", `${window + 5}`, "-f", path.join(work, `cost-${r}.html`), `${tm.pid}`]);
      await new Promise((res) => setTimeout(res, 1000));
      profiled.push(await measure());
      await profile;
    }

    const p = median(plain);
    const o = median(ours);
    const cpuIdle = idle.map((c) => c.cpuUs);
    const cpuProfiled = profiled.map((c) => c.cpuUs);
    const rounded = (xs: number[], d = 2) => xs.map((x) => f(x, d)).join(", ");
    say(`# flink-profiling benchmark (${os.cpus().length} cores, ${rounds} rounds, medians)`);
    say(`profile duration                        ${duration} s`);
    say(`plain asprof -d ${duration} -f x.html           ${f(p)} s  (${f(p - duration)} s beyond the duration)`);
    say(`profile.mjs --local -d ${duration}              ${f(o)} s  (${f(o - duration)} s beyond the duration)`);
    say(`our layer vs plain asprof               ${f(o - p)} s  (ratio ${f(o / p, 3)}); goal ≤ 0.30 s`);
    say(`  of it: node + our modules (--help)    ${f(median(node))} s`);
    say(`  of it: the helper's own run, beyond plain asprof ${f(median(helperRun) - p)} s`);
    say(`  the rest (Node's own work around the helper)  ${f(o - p - median(node) - (median(helperRun) - p))} s`);
    say(
      `TaskManager CPU per record, not profiled  ${f(median(cpuIdle))} µs  (rounds ${rounded(cpuIdle)}; spread ±${pct(spread(cpuIdle))})`,
    );
    say(
      `TaskManager CPU per record, cpu profile   ${f(median(cpuProfiled))} µs  (rounds ${rounded(cpuProfiled)}; spread ±${pct(spread(cpuProfiled))})`,
    );
    say(
      `profiling cost                          ${pct(median(cpuProfiled) / median(cpuIdle) - 1)} of CPU per record; goal under 2 %`,
    );
    say(
      `throughput, not profiled / cpu profile  ${f(median(idle.map((c) => c.rps)), 0)} / ${f(median(profiled.map((c) => c.rps)), 0)} records/s (rounds ${rounded(
        idle.map((c) => c.rps),
        0,
      )} / ${rounded(
        profiled.map((c) => c.rps),
        0,
      )})`,
    );
    return 0;
  } finally {
    await flink.stop();
    await rm(work, { recursive: true, force: true });
  }
}
