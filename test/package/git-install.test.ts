// The package installed from a git URL, as `npm install git+https://…` does it: npm clones the repository,
// installs its dev dependencies, runs its `prepare` (the build) and installs what that packs. The URL here
// is a `git+file://` clone of this repository's HEAD (what is committed; CI tests a clean clone of main).
// Before `prepare` existed the installed copy had no dist/ and every import failed with MODULE_NOT_FOUND.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mustRun, REPO_ROOT } from "./support/consumer-project.ts";

let root: string;
let project: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "flink-profiling-git-"));
  const clone = path.join(root, "repo.git");
  await mustRun("git", ["clone", "--quiet", "--bare", REPO_ROOT, clone], root);
  project = path.join(root, "project");
  await mustRun("mkdir", [project], root);
  writeFileSync(
    path.join(project, "package.json"),
    `${JSON.stringify({ name: "consumer", private: true }, null, 2)}\n`,
  );
  await mustRun(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", `git+file://${clone}`],
    project,
    600_000,
  );
}, 900_000);

afterAll(() => root && rmSync(root, { recursive: true, force: true }));

describe("the package installed from a git URL", () => {
  it("is built by npm on the way in, and loads as an ES module, with require and through its bin", async () => {
    const installed = path.join(project, "node_modules/flink-profiling");
    expect(existsSync(path.join(installed, "dist/components/index.js")), "dist/ was built").toBe(true);
    const esm = await mustRun(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const m = await import("flink-profiling"); console.log(typeof m.FlinkCluster, typeof m.ProfilingAccess)',
      ],
      project,
    );
    expect(esm.stdout.trim()).toBe("function function");
    const cjs = await mustRun(
      process.execPath,
      ["-e", 'const m = require("flink-profiling"); console.log(typeof m.FlinkCluster)'],
      project,
    );
    expect(cjs.stdout.trim()).toBe("function");
    const help = await mustRun(path.join(project, "node_modules/.bin/flink-profiling"), ["--help"], project);
    expect(help.stdout).toMatch(/^Usage:/m);
  });
});
