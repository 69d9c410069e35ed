// Plain JavaScript on purpose: this runs before the TypeScript can be loaded, on whatever Node started
// the script (a `zx` on PATH may run on the machine's Node 20). When that Node is too old, the script
// runs again on the Node this project installs (node_modules/node, the `node` dev dependency) instead
// of refusing; only when that one is missing too does it stop, saying what to do.
// node:child_process, not execa as everywhere else in scripts/lib: this must work on any Node a `zx` of
// one's own may run on (zx 8 supports Node 12.17+), before it is known that `npm install` ran. execa 9
// needs Node 18.19+ or 20.5+, so importing it would fail on some of exactly the Nodes this file exists
// for, and without node_modules its import would fail before the "run `npm install`" advice below.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The oldest Node that loads the TypeScript modules natively (type stripping without a flag). */
export const MIN_NODE = [22, 18];

/** Whether `version` ("20.20.2", "v24.1.0") is older than MIN_NODE. */
export function isTooOld(version) {
  const [major, minor] = String(version).replace(/^v/, "").split(".").map(Number);
  return major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1]);
}

/** node_modules/node's binary in the checkout or installed package that holds `scriptUrl`. */
export function projectNode(scriptUrl) {
  let dir = path.dirname(fileURLToPath(scriptUrl));
  for (;;) {
    const candidate = path.join(dir, "node_modules", "node", "bin", "node");
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Returns when this Node is new enough. Otherwise runs `scriptUrl` with `args` on the project's Node and
 * exits with its status (never returns); the child gets Ctrl-C from the terminal itself and cleans up,
 * so this process only waits for it.
 */
export async function ensureModernNode(scriptUrl, args) {
  if (!isTooOld(process.versions.node)) return;
  const node = projectNode(scriptUrl);
  if (node === undefined) {
    console.error(`error: Node ${process.versions.node} is too old; this needs Node ${MIN_NODE.join(".")} or newer.`);
    console.error("hint:  run `npm install` in the project (it installs its own Node), or install Node 22.18+");
    process.exit(2);
  }
  const child = spawn(node, [fileURLToPath(scriptUrl), ...args], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    // Ctrl-C reaches the whole process group; a kill aimed at this process is passed on.
    process.on(signal, () => {
      if (signal !== "SIGINT") child.kill(signal);
    });
  }
  const [code, signal] = await new Promise((resolve) => child.on("exit", (c, s) => resolve([c, s])));
  process.exit(code ?? 128 + (signal === "SIGINT" ? 2 : signal === "SIGHUP" ? 1 : 15));
}
