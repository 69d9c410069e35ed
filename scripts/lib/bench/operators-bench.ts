// Two numbers for issue 8's performance goals, on a real local Flink 2.3 (one TaskManager) running the
// pipeline job with 46 pass-through maps: 50 unchained vertices at parallelism 1.
//  1. `operators`: the REST reading and the table (in this process, the job's 101 GETs), and the whole
//     `profile.mjs operators` process as a person runs it (Node's start included); goal < 1 s.
//  2. `--operator busiest -d D` against a plain `--local --pid PID -d D` of the same JVM: what the REST
//     queries, the JVM matching, -t and the slicing add; goal ≤ 5 s. Rounds alternate the two.
import { mkdtemp, rm } from "node:fs/promises";
import os, { loadavg } from "node:os";
import path from "node:path";
import { flinkRest } from "../flink-rest/http.ts";
import { fetchJobViews } from "../flink-rest/operators-fetch.ts";
import { renderOperators } from "../flink-rest/operators-text.ts";
import { PIPELINE_JOB, startLocalFlink } from "../../demo/local-flink/index.ts";
import { median, timed as timedProcess } from "./bench-stats.ts";

const profileMjs = path.resolve(import.meta.dirname, "../../profile.mjs");

const timed = (args: string[]) => timedProcess(process.execPath, [profileMjs, ...args]);

const f = (n: number) => n.toFixed(2);

export async function runOperatorsBench({ duration, rounds }: { duration: number; rounds: number }): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const work = await mkdtemp(path.join(os.tmpdir(), "flink-profiling-bench-operators-"));
  process.stderr.write(
    "bench: starting Flink (JobManager + 1 TaskManager) with the pipeline job and 46 pass-through maps\n",
  );
  const flink = await startLocalFlink({
    taskManagers: 1,
    job: { mainClass: PIPELINE_JOB, parallelism: 1, args: ["--pass-maps", "46"] },
    flinkConfig: { "pekko.startup-timeout": "60 s" },
    timeoutMs: 300_000,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  try {
    const rest = flinkRest(flink.restUrl);
    const [first] = await fetchJobViews(rest, flink.jobId, true);
    say(
      `job ${flink.jobId}: ${first!.vertices.length} vertices, parallelism 1, on ${flink.taskManagers[0]!.resourceId} (pid ${flink.taskManagers[0]!.pid})`,
    );
    // Let busy times settle (they read 1000 ms/s for every vertex in a job's first seconds).
    await new Promise((r) => setTimeout(r, 15_000));

    const inProcess: number[] = [];
    const whole: number[] = [];
    const node: number[] = [];
    for (let i = 0; i < Math.max(5, rounds); i++) {
      const t0 = process.hrtime.bigint();
      renderOperators(await fetchJobViews(rest, flink.jobId, false));
      inProcess.push(Number(process.hrtime.bigint() - t0) / 1e9);
      whole.push(await timed(["operators", "--flink-rest", flink.restUrl]));
      // What starting profile.mjs costs by itself (Node, the compile cache, the CLI's modules).
      node.push(await timed(["--help"]));
    }
    say(
      `operators, 50 vertices: REST reading + table ${f(median(inProcess))} s (median of ${inProcess.length}; min ${f(Math.min(...inProcess))}, max ${f(Math.max(...inProcess))})`,
    );
    say(
      `operators, 50 vertices: the whole profile.mjs process ${f(median(whole))} s (median of ${whole.length}; min ${f(Math.min(...whole))}, max ${f(Math.max(...whole))}); goal < 1 s`,
    );
    say(
      `  of which starting profile.mjs (profile.mjs --help): ${f(median(node))} s; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} on ${os.cpus().length} cores`,
    );

    const pid = String(flink.taskManagers[0]!.pid);
    const plain: number[] = [];
    const operator: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const out = path.join(work, `round-${i}`);
      plain.push(await timed(["--local", "--pid", pid, "-d", String(duration), "-o", out]));
      operator.push(
        await timed([
          "--local",
          "--flink-rest",
          flink.restUrl,
          "--operator",
          "busiest",
          "-d",
          String(duration),
          "-o",
          out,
        ]),
      );
    }
    const [p, o] = [median(plain), median(operator)];
    say(`plain --local --pid -d ${duration}: ${f(p)} s (median of ${rounds}: ${plain.map(f).join(", ")})`);
    say(`--operator busiest -d ${duration}: ${f(o)} s (median of ${rounds}: ${operator.map(f).join(", ")})`);
    say(`--operator adds ${f(o - p)} s to a plain run; goal ≤ 5 s`);
    return 0;
  } finally {
    await flink.stop();
    await rm(work, { recursive: true, force: true });
  }
}
