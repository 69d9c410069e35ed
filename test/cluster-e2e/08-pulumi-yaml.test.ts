// The component package (pulumi-package/) from a Pulumi YAML program, with the tier's real Pulumi CLI: the CLI
// starts the package through our Node.js language host (RunPlugin), and the YAML program deploys a small
// FlinkCluster in a namespace and stack of its own, beside the cluster of 01 (which it leaves alone), and
// destroys it again. Run alone on a cluster that is up:
//   npx vitest run --config vitest.cluster.config.ts test/cluster-e2e/08-pulumi-yaml.test.ts
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, adminJson, importedImages, pulumi, repoRoot, waitFor } from "./support.ts";
import { CLUSTER_NAME, NS, yamlProgram } from "./yaml-program.ts";

const STACK_NAME = "yaml-e2e";

let dir: string;
const inProject = (args: string[]) => pulumi([...args, "--cwd", dir]);
const stackArgs = () => ["--stack", STACK_NAME];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "e2e-pulumi-yaml-"));
  writeFileSync(path.join(dir, "Pulumi.yaml"), yamlProgram(path.join(repoRoot, "pulumi-package"), importedImages()));
});

afterAll(async () => {
  // A failed test must not leave the stack's pods taking the node's CPU from the files after this one.
  const left = await inProject(["stack", "ls", "--json"]);
  if (left.code === 0 && left.stdout.includes(STACK_NAME)) {
    await inProject(["destroy", "--yes", "--skip-preview", ...stackArgs()]);
    await inProject(["stack", "rm", "--yes", "--force", ...stackArgs()]);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("a Pulumi YAML program using the component package", () => {
  it("gets the package's schema from the real CLI, through the language host's RunPlugin", async () => {
    const r = await pulumi(["package", "get-schema", path.join(repoRoot, "pulumi-package")]);
    expect(r.code, r.stderr).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(Object.keys(schema.resources)).toContain("flink-profiling:index:FlinkCluster");
  });

  it("previews and deploys a FlinkCluster in its own stack and namespace", async () => {
    const init = await inProject(["stack", "select", "--create", STACK_NAME]);
    expect(init.code, init.stderr).toBe(0);
    const preview = await inProject(["preview", ...stackArgs()]);
    expect(preview.code, `${preview.stdout}\n${preview.stderr}`).toBe(0);
    expect(preview.stdout).toMatch(/flink-profiling:index:FlinkCluster\s+orders\s+create/);
    const up = await inProject(["up", "--yes", "--skip-preview", ...stackArgs()]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const outputs = JSON.parse((await inProject(["stack", "output", "--json", ...stackArgs()])).stdout);
    expect(outputs).toEqual({
      restService: `${CLUSTER_NAME}-rest`,
      taskManagerPods: [`${CLUSTER_NAME}-taskmanager-0`],
      templateConfigMap: `${CLUSTER_NAME}-profiling-job-template`,
    });
  });

  it("runs the JobManager and the TaskManager as uid 9999 from the profiling image", async () => {
    const images = importedImages();
    await admin(["-n", NS, "wait", "--for=condition=Ready", "pod", "-l", `app=${CLUSTER_NAME}`, "--timeout=420s"]);
    const pods = (await adminJson(["-n", NS, "get", "pods", "-l", `app=${CLUSTER_NAME}`])).items;
    expect(pods.map((p: any) => p.metadata.labels.component).sort()).toEqual(["jobmanager", "taskmanager"]);
    for (const pod of pods) {
      const container = pod.status.containerStatuses[0];
      expect(pod.spec.containers[0].image).toBe(images.flink);
      expect(pod.spec.containers[0].resources.requests.cpu).toBe(
        pod.metadata.labels.component === "jobmanager" ? "250m" : "200m",
      );
      const uid = await admin(["-n", NS, "exec", pod.metadata.name, "-c", container.name, "--", "id", "-u"]);
      expect(uid.trim()).toBe("9999");
    }
    // The profiling access came with it: the template alice's profile.mjs reads.
    const cm = await adminJson(["-n", NS, "get", "configmap", `${CLUSTER_NAME}-profiling-job-template`]);
    expect(cm.metadata.labels["flink-profiling/cluster"]).toBe(CLUSTER_NAME);
  });

  it("pulumi destroy of that stack leaves nothing of it, and the stack goes", async () => {
    const down = await inProject(["destroy", "--yes", "--skip-preview", ...stackArgs()]);
    expect(down.code, `${down.stdout}\n${down.stderr}`).toBe(0);
    await waitFor(`namespace ${NS} to be gone`, 180, async () => {
      const all = await adminJson<{ items: any[] }>(["get", "namespaces"]);
      return all.items.some((n) => n.metadata.name === NS) ? undefined : true;
    });
    const rm = await inProject(["stack", "rm", "--yes", ...stackArgs()]);
    expect(rm.code, rm.stderr).toBe(0);
  });
});
