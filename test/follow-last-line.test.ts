// A watched Job whose log says it is done ends at that line, without waiting for its pod to be seen
// finished: the REST Job's answers are in use a second or two earlier. kubectl here is a stand-in object
// whose pod runs until the log stream is stopped, so a follower that waited for the pod would never end.
import { describe, expect, it } from "vitest";
import { createRunFollower } from "../scripts/lib/cluster/follow.ts";
import type { Kubectl } from "../scripts/lib/cluster/kubectl.ts";

const RUN = "r1";
const JOB = "flink-profile-r1-0";

function runningPodKubectl(logLines: string[]): Kubectl & { streamStopped: () => boolean } {
  let stopped = false;
  const pod = {
    metadata: { name: `${JOB}-x`, labels: { "batch.kubernetes.io/job-name": JOB } },
    status: { phase: "Running", containerStatuses: [{ state: { running: {} } }] },
  };
  return {
    kube: {},
    binary: "kubectl",
    connection: [],
    run: async () => ({ exitCode: 0, stdout: JSON.stringify({ items: [pod] }), stderr: "" }),
    json: async () => ({}) as never,
    lines: (_args, onLine, opts) =>
      new Promise((resolve) => {
        for (const l of logLines) onLine(l);
        // The container keeps running; the stream ends only when the follower stops it.
        const stop = () => {
          stopped = true;
          resolve({ exitCode: 0, stdout: "", stderr: "" });
        };
        if (opts?.signal?.aborted) stop();
        else opts?.signal?.addEventListener("abort", stop);
      }),
    streamStopped: () => stopped,
  };
}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no end in ${ms} ms`)), ms))]);

describe("createRunFollower: isLast", () => {
  it("ends the Job at the last line with its lines, and stops reading the log", async () => {
    const kubectl = runningPodKubectl([
      '{"type":"rest","path":"/a","status":200,"body":"{}"}',
      '{"type":"rest-end","records":1}',
    ]);
    const follower = createRunFollower(kubectl, "ns", RUN, { pollMs: 50 });
    const end = await withTimeout(
      follower.watch(JOB, { pod: "tm-0", namespace: "ns" }, { isLast: (l) => l.includes('"rest-end"') }),
      3000,
    );
    expect(end).toMatchObject({ exitCode: 0, interrupted: false });
    expect(end.lines).toHaveLength(2);
    expect(kubectl.streamStopped()).toBe(true);
  });

  it("without a last line, a running pod's Job does not end", async () => {
    const kubectl = runningPodKubectl(['{"type":"rest","path":"/a","status":200,"body":"{}"}']);
    const abort = new AbortController();
    const follower = createRunFollower(kubectl, "ns", RUN, { pollMs: 50, signal: abort.signal });
    const watching = follower.watch(JOB, { pod: "tm-0", namespace: "ns" }, { isLast: (l) => l.includes('"rest-end"') });
    const early = await Promise.race([
      watching.then(() => "ended"),
      new Promise((r) => setTimeout(() => r("waiting"), 500)),
    ]);
    expect(early).toBe("waiting");
    abort.abort();
    expect(await withTimeout(watching, 3000)).toMatchObject({ interrupted: true });
  });
});
