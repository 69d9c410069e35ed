#!/usr/bin/env zx
// `npm run bench:analysis`: report and diff on a generated 32 MB profile against today's path (scripts/lib/bench/analysis-bench.ts).
const { runAnalysisBench } = await import("./lib/bench/analysis-bench.ts");
process.exitCode = await runAnalysisBench({ rounds: Number(process.env.BENCH_ROUNDS ?? 3) });
