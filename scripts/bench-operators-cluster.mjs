#!/usr/bin/env zx
// `npm run bench:operators:cluster -- -n NS --cluster NAME [--kubeconfig FILE]`: what --operator adds to a
// plain profile run in a Kubernetes cluster (scripts/lib/bench/operators-cluster-bench.ts).
const { runOperatorsClusterBench } = await import("./lib/bench/operators-cluster-bench.ts");
const target = process.argv.slice(process.argv.findIndex((a) => a.endsWith("bench-operators-cluster.mjs")) + 1);
if (!target.includes("-n") || !target.includes("--cluster")) {
  console.error("usage: npm run bench:operators:cluster -- -n NS --cluster NAME [--kubeconfig FILE]");
  console.error("  BENCH_ROUNDS (default 3) rounds, each a plain run, an --operator busiest run and operators;");
  console.error("  BENCH_SECONDS (default 10) of profiling per run. The cluster must run a Flink job.");
  process.exit(2);
}
process.exitCode = await runOperatorsClusterBench({
  target,
  duration: Number(process.env.BENCH_SECONDS ?? 10),
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
});
