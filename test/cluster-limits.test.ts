// What profile.mjs takes from a TaskManager is bounded, whatever the helper in its image does (issue 11,
// finding 6): a file over --max-file-mib is refused, naming the option. No JVM is needed: a fake
// flink-profiler in the pod writes the output.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CLUSTER,
  NAMESPACE,
  leftovers,
  runProfileCli,
  startClusterFixture,
  taskManagerPod,
  type ClusterFixture,
} from "./support/cluster-fixture.ts";

let fx: ClusterFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const POD = `${CLUSTER}-taskmanager-0`;
const started = JSON.stringify({
  type: "started",
  pid: 4242,
  role: "taskmanager",
  event: "cpu",
  duration: 1,
  formats: ["collapsed"],
  startedAt: "2026-01-01T00:00:00Z",
});
const fileRecord = (size: number, chunks: number) =>
  JSON.stringify({
    type: "file",
    id: "f1",
    name: "taskmanager-4242.collapsed",
    format: "collapsed",
    size,
    sha256: "0".repeat(64),
    encoding: "gzip+base64",
    chunks,
  });

/**
 * A TaskManager pod whose flink-profiler runs `profile` (a bash snippet) for the profile, and for `stop`
 * notes the call in <dir>/stops and says it stopped.
 */
async function fixtureWithHelper(profile: string): Promise<ClusterFixture> {
  const f = await startClusterFixture([]);
  const bin = path.join(f.dir, "fake-bin");
  mkdirSync(bin);
  writeFileSync(
    path.join(bin, "flink-profiler"),
    `#!/bin/bash
case $1 in
  profile) ${profile} ;;
  stop) echo stop >> "${path.join(f.dir, "stops")}"
        echo '{"type":"stopped","pid":4242,"role":"taskmanager","wasActive":true}' ;;
  *) exit 2 ;;
esac
`,
    { mode: 0o755 },
  );
  f.k8s.create(taskManagerPod({ pod: POD, pid: process.pid, env: { PATH: `${bin}:/usr/bin:/bin` } }, f.dir));
  return f;
}

const args = (f: ClusterFixture, ...more: string[]) => [
  "--kubeconfig",
  f.kubeconfig,
  "-n",
  NAMESPACE,
  "--cluster",
  CLUSTER,
  "-o",
  path.join(f.dir, "out"),
  "-d",
  "1",
  "--format",
  "collapsed",
  "--json",
  ...more,
];

describe("--max-file-mib", () => {
  it.each(["job", "exec"])(
    "a file whose record declares more is refused, naming the option (--via %s)",
    async (via) => {
      const lines = [
        started,
        fileRecord(3 * 1024 * 1024, 1),
        JSON.stringify({ type: "chunk", id: "f1", seq: 0, data: "AAAA" }),
        JSON.stringify({ type: "end", id: "f1", chunks: 1 }),
        JSON.stringify({ type: "done", pid: 4242, status: "ok" }),
      ];
      fx = await fixtureWithHelper(`printf '%s\\n' ${lines.map((l) => `'${l}'`).join(" ")}`);
      const r = await runProfileCli(args(fx, "--via", via, "--max-file-mib", "2"));
      expect(r.code, r.stderr).toBe(1);
      const [t] = JSON.parse(r.stdout).targets;
      expect(t).toMatchObject({ target: POD, status: "failed", files: [] });
      expect(t.error).toMatch(
        /^the profile of orders-taskmanager-0 is larger than the 2 MiB this run accepts \(--max-file-mib\): .*its record says 3145728 bytes.*raise --max-file-mib/,
      );
      expect(readdirSync(path.join(fx.dir, "out"), { recursive: true })).toEqual([]);
      expect(leftovers(fx.k8s)).toEqual([]);
    },
  );
});
