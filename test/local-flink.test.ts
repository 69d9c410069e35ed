import { afterAll, describe, expect, it } from "vitest";
import { isAlive, startLocalFlink, type LocalFlink } from "../scripts/demo/local-flink/index.ts";

type Subtask = { status: string; "taskmanager-id": string };

describe("local Flink cluster", () => {
  let flink: LocalFlink | undefined;
  afterAll(async () => {
    await flink?.stop();
  });

  it("runs the orders job on every TaskManager and stops cleanly", async () => {
    flink = await startLocalFlink({ taskManagers: 2 });
    const { restUrl, jobId } = flink;
    expect(flink.taskManagers.map((t) => t.resourceId)).toEqual(["tm-1", "tm-2"]);

    const job = await (await fetch(`${restUrl}/jobs/${jobId}`)).json();
    expect(job.state).toBe("RUNNING");
    const hosts = new Set<string>();
    for (const v of job.vertices as { id: string; parallelism: number }[]) {
      expect(v.parallelism).toBe(2);
      const vertex = await (await fetch(`${restUrl}/jobs/${jobId}/vertices/${v.id}`)).json();
      for (const s of vertex.subtasks as Subtask[]) {
        expect(s.status).toBe("RUNNING");
        hosts.add(s["taskmanager-id"]);
      }
    }
    expect([...hosts].sort()).toEqual(["tm-1", "tm-2"]);

    expect(await flink.throughput(3)).toBeGreaterThan(0);

    const pids = [flink.jobManager.pid, ...flink.taskManagers.map((t) => t.pid)];
    expect(pids.every(isAlive)).toBe(true);
    await flink.stop();
    flink = undefined;
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
