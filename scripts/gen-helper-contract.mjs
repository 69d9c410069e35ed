#!/usr/bin/env zx
// `npm run gen:contract`: renders images/flink-profiling/contract.json into the helper's lib/contract.sh and
// components/helper-contract.ts. With --check, changes nothing and fails when either is not current.
import { readFileSync, writeFileSync } from "node:fs";
const { renderBash, renderTypeScript } = await import("./lib/contract/render-contract.ts");
const root = new URL("..", import.meta.url).pathname;
const contract = JSON.parse(readFileSync(`${root}images/flink-profiling/contract.json`, "utf8"));
const outputs = {
  "images/flink-profiling/lib/contract.sh": renderBash(contract),
  "components/helper-contract.ts": renderTypeScript(contract),
};
const check = process.argv.includes("--check");
let stale = 0;
for (const [path, text] of Object.entries(outputs)) {
  let now = "";
  try {
    now = readFileSync(`${root}${path}`, "utf8");
  } catch {}
  if (now === text) continue;
  if (check) {
    console.error(`gen:contract: ${path} is not current; run: npm run gen:contract`);
    stale += 1;
  } else {
    writeFileSync(`${root}${path}`, text);
    console.error(`gen:contract: wrote ${path}`);
  }
}
process.exitCode = stale ? 1 : 0;
