#!/usr/bin/env zx
// `npm run bench:operators`: how fast `operators` answers on a 50-vertex job, and what --operator adds to a
// profile run (see scripts/lib/bench/operators-bench.ts).
const { runOperatorsBench } = await import("./lib/bench/operators-bench.ts");
process.exitCode = await runOperatorsBench({
  duration: Number(process.env.BENCH_SECONDS ?? 10),
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
});
