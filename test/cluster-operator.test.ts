// `--operator busiest` on a Kubernetes cluster run: the real kubectl against the API stand-in (its "pods"
// are this machine's two TaskManager JVMs, named after their resource ids, as our clusters name them), the
// real helper reading Flink's REST answers in a Job and profiling in Jobs, a real Flink 2.3 running the
// pipeline job. The oracles read Flink's REST API and the written files with plain string operations.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LocalFlink } from "../scripts/demo/local-flink/index.ts";
import {
  CLUSTER,
  NAMESPACE,
  leftovers,
  runProfileCli,
  startClusterFixture,
  type ClusterFixture,
} from "./support/cluster-fixture.ts";
import {
  PARSE_HOT,
  hasFrame,
  lines,
  vertexId,
  expectNoNeighbour,
  expectScoreCut,
  startPipelineFlink,
  STRAY_SHARE_OF_SCORE_IN_PARSE,
} from "./support/pipeline-job.ts";

let flink: LocalFlink;
let fx: ClusterFixture | undefined;
let out: string;

beforeAll(async () => {
  flink = await startPipelineFlink();
}, 400_000);
afterAll(async () => {
  await flink?.stop();
});
afterEach(async () => {
  await fx?.close();
  fx = undefined;
  if (out) rmSync(out, { recursive: true, force: true });
});

const restService = () => flink.restUrl.replace(/^http:\/\//, "");

describe("-n NS --cluster NAME --operator busiest", () => {
  it("reads Flink through a TaskManager, profiles the pods of Score's busiest subtasks and cuts to Score's threads", async () => {
    fx = await startClusterFixture(flink.taskManagers.map((t) => ({ pod: t.resourceId, pid: t.pid })));
    out = mkdtempSync(join(tmpdir(), "cluster-operator-"));
    const r = await runProfileCli([
      "--kubeconfig",
      fx.kubeconfig,
      "-n",
      NAMESPACE,
      "--cluster",
      CLUSTER,
      "--operator",
      "busiest",
      "--rest-service",
      restService(),
      "-d",
      "5",
      "--format",
      "html,collapsed",
      "-o",
      out,
      "--json",
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toMatch(/reading Flink's REST API at http:\/\/127\.0\.0\.1:\d+ from tm-\d/);
    const targets = JSON.parse(r.stdout).targets;
    expect(targets.map((t: { target: string }) => t.target).sort()).toEqual(["tm-1", "tm-2"]);
    const scoreId = await vertexId(flink.restUrl, flink.jobId, "Score");
    for (const t of targets) {
      const { sliced } = expectScoreCut(t, { job: flink.jobId, vertexId: scoreId, taskManager: t.target });
      expect(sliced.startsWith(join(out, CLUSTER))).toBe(true);
      expect(existsSync(sliced.replace(/collapsed$/, "html"))).toBe(true);
    }
    expect(leftovers(fx.k8s)).toEqual([]);
  });

  it("--tms 1 profiles one pod; the text report says which and why", async () => {
    fx = await startClusterFixture(flink.taskManagers.map((t) => ({ pod: t.resourceId, pid: t.pid })));
    out = mkdtempSync(join(tmpdir(), "cluster-operator-"));
    const r = await runProfileCli([
      "--kubeconfig",
      fx.kubeconfig,
      "-n",
      NAMESPACE,
      "--cluster",
      CLUSTER,
      "--operator",
      "Parse",
      "--tms",
      "1",
      "--rest-service",
      restService(),
      "-d",
      "3",
      "--format",
      "collapsed",
      "-o",
      out,
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^operator Parse of job [0-9a-f]{32}: named, busy \d+% max/m);
    const profiled = [...r.stdout.matchAll(/^ {2}pod (tm-\d) runs (tm-\d)$/gm)];
    expect(profiled).toHaveLength(1);
    expect(profiled[0]![1]).toBe(profiled[0]![2]);
    const files = [...r.stdout.matchAll(/wrote (\S+\.parse\.collapsed)/g)].map((m) => m[1]!);
    expect(files).toHaveLength(1);
    expect(hasFrame(lines(files[0]!), PARSE_HOT)).toBe(true);
    expectNoNeighbour(lines(files[0]!), "com/example/pipeline/ScoreStage", STRAY_SHARE_OF_SCORE_IN_PARSE);
    expect(leftovers(fx.k8s)).toEqual([]);
  });
});
