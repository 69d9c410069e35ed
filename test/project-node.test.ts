// `zx scripts/profile.mjs`, the README's usage, started by a zx that runs on the machine's older Node: the
// script runs again on the project's own Node (node_modules/node) instead of refusing.
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isTooOld } from "../scripts/lib/project-node.mjs";

const repo = path.resolve(import.meta.dirname, "..");
const zxCli = path.join(repo, "node_modules/zx/build/cli.js");

/** A Node older than 22 on this machine (Debian's Node 20 at /usr/bin/node), read from its own --version. */
function oldNode(): string {
  for (const candidate of ["/usr/bin/node", "/usr/local/bin/node"]) {
    try {
      const version = execFileSync(candidate, ["--version"], { encoding: "utf8" }).trim();
      if (Number(/^v(\d+)\./.exec(version)?.[1]) < 22) return candidate;
    } catch {
      // not there
    }
  }
  throw new Error(
    "this test needs a Node older than 22 at /usr/bin/node (the machine's Node 20; apt-get install nodejs)",
  );
}

describe("profile.mjs on an older Node", () => {
  it("knows which versions cannot load the TypeScript", () => {
    expect(["20.20.2", "v22.17.9", "18.0.0"].map(isTooOld)).toEqual([true, true, true]);
    expect(["22.18.0", "v24.1.0", "23.0.0"].map(isTooOld)).toEqual([false, false, false]);
  });

  it("runs on the project's Node, with the user's arguments and exit status", () => {
    const node = oldNode();
    const help = spawnSync(node, [zxCli, "scripts/profile.mjs", "--help"], { cwd: repo, encoding: "utf8" });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n {2}zx scripts\/profile\.mjs -n NAMESPACE --cluster NAME/m);
    expect(help.stderr).not.toMatch(/too old/);
    const bad = spawnSync(node, [zxCli, "scripts/profile.mjs", "--no-such-option"], { cwd: repo, encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--no-such-option'/);
  });
});
