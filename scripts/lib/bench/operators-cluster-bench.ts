// `npm run bench:operators:cluster -- -n NS --cluster NAME [--kubeconfig FILE]`: issue 8's cluster goal
// (a `--operator busiest` run takes at most 5 s beyond a plain run) on a cluster that runs a Flink job.
// Rounds alternate a plain `-n NS --cluster NAME -d D` (every TaskManager) with `--operator busiest`
// (the pods of the busiest operator's subtasks), and time `operators -n NS --cluster NAME` as a whole
// process. Each run is the real CLI as a person runs it, Jobs and all.
import { mkdtemp, rm } from "node:fs/promises";
import os, { loadavg } from "node:os";
import path from "node:path";
import { median, timed as timedProcess } from "./bench-stats.ts";

const profileMjs = path.resolve(import.meta.dirname, "../../profile.mjs");
const timed = (args: string[]) => timedProcess(process.execPath, [profileMjs, ...args]);
const f = (n: number) => n.toFixed(2);
const row = (xs: number[]) => `${f(median(xs))} s (median of ${xs.length}: ${xs.map(f).join(", ")})`;

export interface ClusterBenchOptions {
  /** `-n NS --cluster NAME`, and `--kubeconfig FILE` if given: where to profile. */
  target: string[];
  duration: number;
  rounds: number;
}

export async function runOperatorsClusterBench({ target, duration, rounds }: ClusterBenchOptions): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const work = await mkdtemp(path.join(os.tmpdir(), "flink-profiling-bench-operators-cluster-"));
  try {
    const plain: number[] = [];
    const operator: number[] = [];
    const operators: number[] = [];
    for (let i = 0; i < rounds; i++) {
      process.stderr.write(`bench: round ${i + 1} of ${rounds}\n`);
      const out = path.join(work, `round-${i}`);
      plain.push(await timed([...target, "-d", String(duration), "-o", out]));
      operator.push(await timed([...target, "--operator", "busiest", "-d", String(duration), "-o", out]));
      operators.push(await timed(["operators", ...target]));
    }
    say(`plain ${target.join(" ")} -d ${duration}: ${row(plain)}`);
    say(`--operator busiest -d ${duration}: ${row(operator)}`);
    say(
      `--operator adds ${f(median(operator) - median(plain))} s to a plain run (difference of the medians); goal ≤ 5 s`,
    );
    // Each round's two runs are next to each other in time: their difference is less exposed to the load.
    const paired = operator.map((o, i) => o - plain[i]!);
    say(`  round by round: ${paired.map(f).join(", ")} s (median ${f(median(paired))} s)`);
    say(`operators (the whole process, REST Job included): ${row(operators)}`);
    say(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} on ${os.cpus().length} cores`,
    );
    return 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
