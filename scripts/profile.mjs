#!/usr/bin/env zx
// Profile Flink TaskManagers with async-profiler. `zx scripts/profile.mjs --help` tells how.
// The logic lives in scripts/lib (TypeScript, loaded natively by Node 22.18+); this file only starts it.
// Everything after this script's own path is ours (zx and node put their own words before it).
const self = process.argv.findIndex((arg) => arg.endsWith("profile.mjs"));
const args = process.argv.slice(self + 1);
// On an older Node (a `zx` on PATH running on the machine's Node 20), run again on the project's Node.
const { ensureModernNode } = await import("./lib/project-node.mjs");
await ensureModernNode(import.meta.url, args);
// Node keeps the TypeScript modules compiled (types stripped) in its compile cache under the temp folder:
// later runs start in a third of the time, without the TypeScript stripper in memory. Best effort.
const { enableCompileCache } = await import("node:module");
enableCompileCache?.();
const { main } = await import("./lib/profile-main.ts");
process.exitCode = await main(args);
