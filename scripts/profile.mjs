#!/usr/bin/env zx
// Profile Flink TaskManagers with async-profiler. `zx scripts/profile.mjs --help` tells how.
// The logic lives in scripts/lib (TypeScript, loaded natively by Node 22.18+); this file only starts it.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`error: Node ${process.versions.node} is too old; profile.mjs needs Node 22.18 or newer.`);
  console.error("hint:  run it through npm (npm exec -- zx scripts/profile.mjs ...), which uses the Node this project installs");
  process.exit(2);
}
// Node keeps the TypeScript modules compiled (types stripped) in its compile cache under the temp folder:
// later runs start in a third of the time, without the TypeScript stripper in memory. Best effort.
const { enableCompileCache } = await import("node:module");
enableCompileCache?.();
const { main } = await import("./lib/profile-main.ts");
// Everything after this script's own path is ours (zx and node put their own words before it).
const self = process.argv.findIndex((arg) => arg.endsWith("profile.mjs"));
process.exitCode = await main(process.argv.slice(self + 1));
