// Flink's REST answers in a cluster, read by the helper's `rest` action inside a TaskManager through one
// profiling Job: the real kubectl against the API stand-in, the real helper, a real Flink 2.3 JobManager.
// (The "pods" run on this machine, so the REST address given is the local one; in a real cluster it is
// the <cluster>-rest Service.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { restThroughTaskManager } from "../scripts/lib/cluster/rest-through-taskmanager.ts";
import { startLocalFlink, type LocalFlink } from "../scripts/demo/local-flink/index.ts";
import {
  CLUSTER,
  NAMESPACE,
  leftovers,
  runProfileCli,
  startClusterFixture,
  type ClusterFixture,
} from "./support/cluster-fixture.ts";

let flink: LocalFlink;
let fx: ClusterFixture | undefined;

beforeAll(async () => {
  flink = await startLocalFlink({ taskManagers: 1 });
});
afterAll(async () => {
  await flink?.stop();
});
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe("restThroughTaskManager", () => {
  it("reads the running job's answers through one Job, and leaves nothing behind", async () => {
    fx = await startClusterFixture([{ pod: `${CLUSTER}-taskmanager-0`, pid: flink.taskManagers[0]!.pid }]);
    const notes: string[] = [];
    const read = await restThroughTaskManager(
      { kubeconfig: fx.kubeconfig, namespace: NAMESPACE },
      { by: "cluster", cluster: CLUSTER },
      { restUrl: flink.restUrl, onNote: (l) => notes.push(l) },
    );
    expect(read).toMatchObject({ namespace: NAMESPACE, cluster: CLUSTER, pod: `${CLUSTER}-taskmanager-0` });
    // Oracle: the JobManager asked directly, with Node's own client.
    const direct = (await (await fetch(`${flink.restUrl}/jobs/${flink.jobId}`)).json()) as {
      jid: string;
      vertices: { id: string }[];
    };
    const seen = await read.rest.getJson<{ jid: string; vertices: { id: string }[] }>(`/jobs/${flink.jobId}`);
    expect(seen.jid).toBe(direct.jid);
    expect(seen.vertices.map((v) => v.id)).toEqual(direct.vertices.map((v) => v.id));
    expect(notes.join("\n")).toContain(`reading Flink's REST API at ${flink.restUrl} from ${CLUSTER}-taskmanager-0`);
    // The Job is deleted while the caller goes on; once that is done, nothing is left.
    await read.deleted;
    expect(leftovers(fx.k8s)).toEqual([]);
  });

  it("says when the TaskManager cannot reach the REST address, and leaves nothing behind", async () => {
    fx = await startClusterFixture([{ pod: `${CLUSTER}-taskmanager-0`, pid: flink.taskManagers[0]!.pid }]);
    const err = (await restThroughTaskManager(
      { kubeconfig: fx.kubeconfig, namespace: NAMESPACE },
      { by: "cluster", cluster: CLUSTER },
      { restUrl: "http://127.0.0.1:1" },
    ).catch((e: unknown) => e)) as Error & { hint?: string };
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/cannot connect to 127\.0\.0\.1:1 \(4 tries/);
    expect(err.hint).toMatch(/REST port/);
    expect(leftovers(fx.k8s)).toEqual([]);
  });
});

describe("profile.mjs operators -n NS --cluster NAME", () => {
  it("lists the running job's vertices from the answers a TaskManager read, and leaves nothing behind", async () => {
    fx = await startClusterFixture([{ pod: `${CLUSTER}-taskmanager-0`, pid: flink.taskManagers[0]!.pid }]);
    const r = await runProfileCli([
      "operators",
      "--kubeconfig",
      fx.kubeconfig,
      "-n",
      NAMESPACE,
      "--cluster",
      CLUSTER,
      "--rest-service",
      new URL(flink.restUrl).host,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("reading Flink's REST API at");
    // Oracle: the vertices Flink lists for the job, asked here directly.
    const direct = (await (await fetch(`${flink.restUrl}/jobs/${flink.jobId}`)).json()) as {
      vertices: { id: string; name: string }[];
    };
    const doc = JSON.parse(r.stdout);
    const job = doc.jobs.find((j: any) => j.id === flink.jobId);
    expect(job.vertices.map((v: any) => v.id).sort()).toEqual(direct.vertices.map((v) => v.id).sort());
    expect(leftovers(fx.k8s)).toEqual([]);
  });

  it.each([
    [
      ["operators", "-n", NAMESPACE, "--cluster", CLUSTER, "--flink-rest", "http://127.0.0.1:1"],
      /either the JobManager at --flink-rest or a Kubernetes cluster's/,
    ],
    [
      ["operators", "--flink-rest", "http://127.0.0.1:1", "--rest-service", "x"],
      /--rest-service names the JobManager's REST Service in a cluster/,
    ],
    [["operators", "-n", NAMESPACE, "--cluster", CLUSTER, "--rest-service", "bad host:1"], /is not HOST\[:PORT\]/],
  ])("refuses %j", async (args, message) => {
    const r = await runProfileCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
