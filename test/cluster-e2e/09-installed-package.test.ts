// A platform team's own program, as the package is meant to be used: a fresh project installs it from its
// tarball (`npm pack` of this clone, `npm install` with its dependencies and peers from the registry), and a
// TypeScript Pulumi program in CommonJS form (no "type" in package.json, `require`, as Pulumi's TypeScript
// template compiles to) deploys a FlinkCluster with the tier's real Pulumi CLI, in a stack and namespace of
// its own; alice then profiles it with the package's own bin; the same program as an ES module leaves
// nothing to change; `pulumi destroy` removes it.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsumerProject, type ConsumerProject } from "../package/support/consumer-project.ts";
import { admin, adminJson, importedImages, kubectlBin, personKubeconfig, pulumi, waitFor } from "./support.ts";

const NS = "flink-team-e2e";
const CLUSTER_NAME = "team";
const STACK_NAME = "team-e2e";

let project: ConsumerProject;
const inProject = (args: string[]) => pulumi([...args, "--cwd", project.dir, "--stack", STACK_NAME]);

/** The program a platform team writes; the images are the ones the tier built (no registry here). */
function program(images: { flink: string; runner: string }): string {
  return `// CommonJS TypeScript: require() of the installed package, as compiled Pulumi TypeScript programs load it.
const k8s = require("@pulumi/kubernetes") as typeof import("@pulumi/kubernetes");
const { FlinkCluster } = require("flink-profiling") as typeof import("flink-profiling");

const ns = new k8s.core.v1.Namespace("ns", {
  metadata: { name: "${NS}", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
});
// Two cores in all, 1.5 of them requested by the tier's first cluster.
const cluster = new FlinkCluster("${CLUSTER_NAME}", {
  namespace: "${NS}", flinkVersion: "2.3", image: "${images.flink}", runnerImage: "${images.runner}",
  taskManagers: 1, slotsPerTaskManager: 1,
  jobManager: { cpu: "250m", memoryMiB: 768 }, taskManager: { cpu: "200m", memoryMiB: 1024 },
  flinkConfig: { "taskmanager.memory.managed.fraction": 0.1 },
  users: ["alice"],
}, { dependsOn: [ns] });

module.exports = { restService: cluster.restServiceName, template: cluster.access.templateConfigMapName };
`;
}

beforeAll(async () => {
  project = await createConsumerProject();
  writeFileSync(
    path.join(project.dir, "Pulumi.yaml"),
    [
      "name: team-flink",
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: false",
      "main: index.ts",
      "",
    ].join("\n"),
  );
  writeFileSync(path.join(project.dir, "index.ts"), program(importedImages()));
}, 900_000);

afterAll(async () => {
  if (!project) return;
  // A failed test must not leave pods that take the node's CPU from the files after this one.
  const left = await pulumi(["stack", "ls", "--json", "--cwd", project.dir]);
  if (left.code === 0 && left.stdout.includes(STACK_NAME)) {
    await inProject(["destroy", "--yes", "--skip-preview"]);
    await inProject(["stack", "rm", "--yes", "--force"]);
  }
  project.remove();
});

describe("a fresh project that installed the package from its tarball", () => {
  it("deploys a FlinkCluster from its own CommonJS TypeScript program", async () => {
    expect(
      JSON.parse(readFileSync(path.join(project.dir, "node_modules/flink-profiling/package.json"), "utf8")).name,
    ).toBe("flink-profiling");
    const init = await pulumi(["stack", "select", "--create", STACK_NAME, "--cwd", project.dir]);
    expect(init.code, init.stderr).toBe(0);
    const up = await inProject(["up", "--yes", "--skip-preview"]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const outputs = JSON.parse((await inProject(["stack", "output", "--json"])).stdout);
    expect(outputs).toEqual({
      restService: `${CLUSTER_NAME}-rest`,
      template: `${CLUSTER_NAME}-profiling-job-template`,
    });
    await admin(["-n", NS, "wait", "--for=condition=Ready", "pod", "-l", `app=${CLUSTER_NAME}`, "--timeout=420s"]);
    const pods = (await adminJson(["-n", NS, "get", "pods", "-l", `app=${CLUSTER_NAME}`])).items;
    expect(pods.map((p: any) => p.metadata.labels.component).sort()).toEqual(["jobmanager", "taskmanager"]);
  });

  it("lets alice profile it with the package's own bin", async () => {
    const bin = path.join(project.dir, "node_modules/.bin/flink-profiling");
    const out = path.join(project.dir, "profiles");
    const r = await waitFor("a profile of the new TaskManager", 240, async () => {
      const { execa } = await import("execa");
      // Wall-clock samples: the TaskManager runs no job, and wall sees its threads anyway.
      const run = await execa(
        bin,
        [
          "--kubeconfig",
          personKubeconfig("alice"),
          "-n",
          NS,
          "--cluster",
          CLUSTER_NAME,
          "-d",
          "5",
          "-e",
          "wall",
          "--format",
          "collapsed",
          "-o",
          out,
          "--json",
        ],
        {
          reject: false,
          env: { ...process.env, FLINK_PROFILING_KUBECTL: kubectlBin },
          timeout: 200_000,
        },
      );
      // The JVM may still be starting the first time round (the helper then finds no TaskManager yet).
      if (run.exitCode !== 0) throw new Error(`exit ${run.exitCode}: ${String(run.stderr).slice(-800)}`);
      return run;
    });
    const doc = JSON.parse(String(r.stdout));
    expect(doc.targets.map((t: any) => [t.target, t.status])).toEqual([[`${CLUSTER_NAME}-taskmanager-0`, "ok"]]);
    expect(readFileSync(doc.targets[0].files[0], "utf8")).toMatch(/^\S.* \d+$/m);
  });

  it("computes the same cluster from the program written as an ES module", async () => {
    // The same program with import/export in a "type": "module" project: Pulumi must find nothing to change.
    const esm = program(importedImages())
      .replace(/^\/\/ CommonJS TypeScript.*$/m, "// ES module TypeScript: import of the installed package.")
      .replace(
        /^const k8s = require\("@pulumi\/kubernetes"\) as typeof import\("@pulumi\/kubernetes"\);$/m,
        'import * as k8s from "@pulumi/kubernetes";',
      )
      .replace(
        /^const \{ FlinkCluster \} = require\("flink-profiling"\) as typeof import\("flink-profiling"\);$/m,
        'import { FlinkCluster } from "flink-profiling";',
      )
      .replace(
        /^module\.exports = \{ restService: (.*), template: (.*) \};$/m,
        "export const restService = $1;\nexport const template = $2;",
      );
    expect(esm).not.toMatch(/require\(|module\.exports/);
    const pkg = path.join(project.dir, "package.json");
    writeFileSync(pkg, JSON.stringify({ ...JSON.parse(readFileSync(pkg, "utf8")), type: "module" }, null, 2));
    writeFileSync(path.join(project.dir, "index.ts"), esm);
    const preview = await inProject(["preview", "--expect-no-changes"]);
    expect(preview.code, `${preview.stdout}\n${preview.stderr}`).toBe(0);
  });

  it("pulumi destroy of that stack leaves nothing of it", async () => {
    const down = await inProject(["destroy", "--yes", "--skip-preview"]);
    expect(down.code, `${down.stdout}\n${down.stderr}`).toBe(0);
    await waitFor(`namespace ${NS} to be gone`, 180, async () => {
      const all = await adminJson<{ items: any[] }>(["get", "namespaces"]);
      return all.items.some((n) => n.metadata.name === NS) ? undefined : true;
    });
    const rm = await inProject(["stack", "rm", "--yes"]);
    expect(rm.code, rm.stderr).toBe(0);
  });
});
