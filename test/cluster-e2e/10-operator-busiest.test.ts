// Issue 8 on the real cluster: alice, bound only to the profiler Role and with no right to Flink's REST API,
// runs `--operator busiest` on the pipeline job (Source -> Parse -> Score -> Sink, unchained; Score is the
// bottleneck). The REST answers come through a TaskManager, the chosen pods are profiled by real Jobs, and
// each profile is cut to Score's threads. Oracles: Flink asked by the admin through a port-forward, and the
// written files read with plain string operations.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settled, vertexId, expectScoreCut } from "../support/pipeline-job.ts";
import {
  CLUSTER,
  NAMESPACE,
  cancelJobs,
  leftovers,
  personKubeconfig,
  profileCli,
  submitSampleJob,
  taskManagerPods,
  withRestApi,
} from "./support.ts";

const REST = `${CLUSTER}-rest`;
let jobId: string;
let scoreId: string;

beforeAll(async () => {
  // The orders job (07 cancels it already) would hold both TaskManagers' slots.
  await cancelJobs(REST);
  jobId = await submitSampleJob(REST, 2, "com.example.pipeline.SubmitPipelineJob");
  await withRestApi(REST, async (port) => {
    const url = `http://127.0.0.1:${port}`;
    await settled(url, jobId, "Score", "Parse");
    scoreId = await vertexId(url, jobId, "Score");
  });
});

afterAll(async () => {
  await cancelJobs(REST);
});

describe("--operator busiest in a real cluster", () => {
  it("names Score, profiles the pods of its busiest subtasks, and cuts each profile to Score's threads", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "e2e-operator-"));
    const r = await profileCli([
      "--kubeconfig",
      personKubeconfig("alice"),
      "-n",
      NAMESPACE,
      "--cluster",
      CLUSTER,
      "--operator",
      "busiest",
      "-d",
      "10",
      "--format",
      "html,collapsed",
      "-o",
      out,
      "--json",
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const targets = JSON.parse(r.stdout).targets;
    // Our clusters run one slot per TaskManager here: Score's two subtasks run in the two pods.
    expect(targets.map((t: { target: string }) => t.target).sort()).toEqual(await taskManagerPods());
    for (const t of targets) {
      // taskmanager.resource-id is the pod's name in our clusters.
      const { sliced } = expectScoreCut(t, { job: jobId, vertexId: scoreId, taskManager: t.target });
      expect(existsSync(sliced.replace(/collapsed$/, "html"))).toBe(true);
    }
    expect(await leftovers()).toEqual([]);
  });
});
