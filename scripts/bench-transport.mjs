#!/usr/bin/env zx
// `npm run bench:transport`: bytes through a profiling Job's log per flame graph delivered (see scripts/lib/bench/transport-bench.ts).
const { runTransportBench } = await import("./lib/bench/transport-bench.ts");
process.exitCode = await runTransportBench({
  duration: Number(process.env.BENCH_SECONDS ?? 15),
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
});
