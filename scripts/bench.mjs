#!/usr/bin/env zx
// `npm run bench`: what profiling costs, measured on one local Flink JVM in one run (see scripts/lib/bench/bench-main.ts).
const { runBench } = await import("./lib/bench/bench-main.ts");
process.exitCode = await runBench({
  duration: Number(process.env.BENCH_SECONDS ?? 10),
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
});
