// The package as a platform team gets it: packed, installed into a fresh project with its dependencies from
// the registry, and used from plain Node (no TypeScript loader) as an ES module, with require, through its
// bin, and from TypeScript against the shipped d.ts. Before the build existed this failed with
// ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING: Node refuses .ts files under node_modules.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HELP } from "../../scripts/lib/profile-help.ts";
import { createConsumerProject, mustRun, REPO_ROOT, run, type ConsumerProject } from "./support/consumer-project.ts";

const RUNNER = `registry.example.com/flink-profiler-runner:latest@sha256:${"a".repeat(64)}`;
const TSC = path.join(REPO_ROOT, "node_modules/typescript/bin/tsc");

let project: ConsumerProject;

beforeAll(async () => {
  project = await createConsumerProject();
}, 900_000);

afterAll(() => project?.remove());

/** Runs one of the consumer's programs with plain node and reads the JSON line it prints. */
async function runProgram(file: string) {
  const result = await run(process.execPath, [file], project.dir);
  expect(result.exitCode, `node ${file} failed:\n${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout.trim().split("\n").pop()!);
}

describe("the packed package", () => {
  it("holds the built JavaScript, its declarations and the images, and no TypeScript source", async () => {
    const files = (await mustRun("tar", ["-tzf", project.tarball], REPO_ROOT)).stdout
      .split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ""));
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "dist/components/index.js",
        "dist/components/index.d.ts",
        "dist/scripts/bin/flink-profiling.js",
        "dist/scripts/lib/profile-main.js",
        "images/flink-profiling/Dockerfile",
        "images/flink-profiling/bin/flink-profiler",
        "images/flink-profiling/lib/profile.sh",
        "images/profiler-runner/Dockerfile",
      ]),
    );
    expect(
      files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
      "TypeScript sources shipped",
    ).toEqual([]);
    expect(
      files.filter((f) => /^(test|cluster|components|scripts)\//.test(f)),
      "clone-only folders shipped",
    ).toEqual([]);
  });

  it("runs under Pulumi's mocks when imported as an ES module", async () => {
    const result = await runProgram("esm-program.mjs");
    expect(result.types).toEqual(
      expect.arrayContaining([
        "flink-profiling:index:FlinkCluster",
        "flink-profiling:index:ProfilingAccess",
        "kubernetes:apps/v1:StatefulSet",
        "kubernetes:apps/v1:Deployment",
        "kubernetes:rbac.authorization.k8s.io/v1:Role",
      ]),
    );
    expect(result.restService).toBe("demo-rest");
    expect(result.runnerInTemplate).toBe(RUNNER);
    expect(result.operatorVersion).toBe("v1_20");
    // The image builder's Dockerfiles resolve inside the installed package, not in a dist/ folder.
    expect(result.flinkContext).toBe(path.join(project.dir, "node_modules/flink-profiling/images/flink-profiling"));
    expect(existsSync(path.join(result.flinkContext, "Dockerfile"))).toBe(true);
  });

  it("does the same when loaded with require, as CommonJS Pulumi programs do (Node's require of ES modules)", async () => {
    const esm = await runProgram("esm-program.mjs");
    expect(await runProgram("cjs-program.cjs")).toEqual(esm);
  });

  it("installs the profiling command: npx flink-profiling --help prints the CLI's help", async () => {
    // --no: never fetch a package of that name from the registry; only the installed bin may answer.
    const result = await mustRun("npx", ["--no", "--", "flink-profiling", "--help"], project.dir);
    // execa drops the final newline of the output.
    expect(result.stdout).toBe(HELP.trimEnd());
  });

  it("type-checks a TypeScript consumer against the shipped declarations", async () => {
    for (const config of ["tsconfig.json", "tsconfig.nodenext.json"]) {
      const result = await run(process.execPath, [TSC, "-p", config], project.dir, 300_000);
      expect(result.exitCode, `tsc -p ${config} in the consumer:\n${result.stdout}${result.stderr}`).toBe(0);
    }
  });
});
