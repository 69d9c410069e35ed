// Two numbers a platform team asks before it trusts a profiler in production, measured against a baseline
// taken in the same run on the same JVM:
//  1. our overhead: wall time of `profile.mjs --local -d D` against plain `asprof -d D` (beyond D, and as a ratio);
//  2. the job's cost: the sample job's throughput while a default cpu profile runs, against the same job idle.
// Rounds alternate the measured and the baseline case so drift (JIT warm-up, a busy neighbour) hits both.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { asyncProfilerHome } from "./helper-events.ts";
import { startLocalFlink } from "../demo/local-flink/index.ts";

const scripts = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

async function timed(command: string, args: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  const run = await execa(command, args, { stdin: "ignore", stdout: "ignore", reject: false });
  if (run.failed)
    throw new Error(
      `${path.basename(command)} exited ${run.exitCode ?? run.signal}: ${String(run.stderr || run.shortMessage).slice(-500)}`,
    );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const f = (n: number, digits = 2) => n.toFixed(digits);

export async function runBench({ duration, rounds }: { duration: number; rounds: number }): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const work = await mkdtemp(path.join(os.tmpdir(), "flink-profiling-bench-"));
  process.stderr.write("bench: starting Flink (JobManager + 1 TaskManager) with the sample job\n");
  const flink = await startLocalFlink({ taskManagers: 1 });
  try {
    const tm = flink.taskManagers[0]!;
    const asprof = path.join(asyncProfilerHome(), "bin", "asprof");
    process.stderr.write(`bench: TaskManager pid ${tm.pid}; warming up the job for 20 s\n`);
    await flink.throughput(20);

    const plain: number[] = [];
    const ours: number[] = [];
    for (let r = 0; r < rounds; r++) {
      process.stderr.write(`bench: wall-time round ${r + 1}/${rounds} (2 × ${duration} s)\n`);
      plain.push(
        await timed(asprof, ["-d", String(duration), "-f", path.join(work, `plain-${r}.html`), String(tm.pid)]),
      );
      ours.push(
        await timed(process.execPath, [
          path.join(scripts, "profile.mjs"),
          "--local",
          "--pid",
          String(tm.pid),
          "-d",
          String(duration),
          "-o",
          path.join(work, `ours-${r}`),
        ]),
      );
    }

    const window = Math.max(10, duration * 2);
    const idle: number[] = [];
    const profiled: number[] = [];
    for (let r = 0; r < rounds; r++) {
      process.stderr.write(`bench: throughput round ${r + 1}/${rounds} (2 × ${window} s)\n`);
      idle.push(await flink.throughput(window));
      // A default cpu profile that outlasts the window, started just before it.
      const profile = timed(asprof, [
        "-d",
        String(window + 2),
        "-f",
        path.join(work, `cost-${r}.html`),
        String(tm.pid),
      ]);
      await new Promise((res) => setTimeout(res, 1000));
      profiled.push(await flink.throughput(window));
      await profile;
    }

    const p = median(plain);
    const o = median(ours);
    const i = median(idle);
    const q = median(profiled);
    say(`# flink-profiling benchmark (${os.cpus().length} cores, ${rounds} rounds, medians)`);
    say(`profile duration                     ${duration} s`);
    say(`plain asprof -d ${duration}                  ${f(p)} s  (${f(p - duration)} s beyond the duration)`);
    say(`profile.mjs --local -d ${duration}           ${f(o)} s  (${f(o - duration)} s beyond the duration)`);
    say(`our overhead vs plain asprof         ${f(o - p)} s  (ratio ${f(o / p, 3)})`);
    say(`sample job throughput, not profiled  ${f(i, 0)} records/s  (rounds: ${idle.map((x) => f(x, 0)).join(", ")})`);
    say(
      `sample job throughput, cpu profile   ${f(q, 0)} records/s  (rounds: ${profiled.map((x) => f(x, 0)).join(", ")})`,
    );
    say(`profiling cost                       ${f(((i - q) / i) * 100, 1)} % of throughput`);
    return 0;
  } finally {
    await flink.stop();
    await rm(work, { recursive: true, force: true });
  }
}
