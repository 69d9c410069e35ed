#!/usr/bin/env zx
// `npm run bench:cluster`: wall time and the script's own CPU for 1, 4, 16, 64 TaskManagers (scripts/lib/bench/cluster-bench.ts).
const { runClusterBench } = await import("./lib/bench/cluster-bench.ts");
const sizes = (process.env.BENCH_SIZES ?? "1,4,16,64").split(",").map(Number);
process.exitCode = await runClusterBench(sizes, Number(process.env.BENCH_SECONDS ?? 3));
