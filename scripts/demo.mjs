#!/usr/bin/env zx
// The built-in demo: a real Flink cluster on this machine runs the sample job, and profile.mjs profiles
// its TaskManager exactly as a user would. Needs Java 17+ and Maven; no Kubernetes.
const { runDemo } = await import("./demo/demo-main.ts");
process.exitCode = await runDemo({ duration: Number(process.env.DEMO_SECONDS ?? 15) });
