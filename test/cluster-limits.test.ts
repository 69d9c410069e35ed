// What profile.mjs takes from a TaskManager is bounded, whatever the helper in its image does (issue 11,
// finding 6): a file over --max-file-mib is refused, and a stream longer than an honest helper's (a
// Job's log past --max-result-mib, exec output past what --max-file-mib allows) is cut off there, the
// target failed with the limit named, and the run cleaned up as after any failure. No JVM is needed: a
// fake flink-profiler in the pod writes the output.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CLUSTER,
  NAMESPACE,
  leftovers,
  repoRoot,
  runProfileCli,
  startClusterFixture,
  taskManagerPod,
  type ClusterFixture,
} from "./support/cluster-fixture.ts";

let fx: ClusterFixture | undefined;
let cli: ChildProcess | undefined;
afterEach(async () => {
  // A CLI that never ends (the bug these tests are about) must not outlive its test.
  if (cli?.exitCode === null) cli.kill("SIGKILL");
  cli = undefined;
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

describe("a stream longer than an honest helper's", () => {
  // ~100 MiB of chunk records that look right (35,000 lines of 2,944 base64 characters), or 100 MiB in
  // one line that never ends; then a helper that does not end either. Both are far past the bounds.
  const lines = [
    `printf '%s\\n' '${started}' '${fileRecord(256 * 1024 * 1024, 35_000)}'`,
    `awk 'BEGIN { d = sprintf("%2944s", ""); gsub(/ /, "A", d); for (i = 0; i < 35000; i++) printf "{\\"type\\":\\"chunk\\",\\"id\\":\\"f1\\",\\"seq\\":%d,\\"data\\":\\"%s\\"}\\n", i, d }'`,
    "sleep 600",
  ].join("; ");
  const oneLine = [`printf '%s\\n' '${started}'`, "head -c 104857600 /dev/zero | tr '\\0' A", "sleep 600"].join("; ");
  // A Job's log: --max-result-mib 8 (the default) + 16 KiB + 1 MiB of event margin.
  const jobError =
    /^the profiling Job's log of orders-taskmanager-0 passed 9\.0 MiB, more than the helper sends under --max-result-mib 8; the rest was not read.*--max-result-mib moves the limit/;
  // exec: what a 1 MiB file takes as records (base64, chunk lines) + 1 MiB of event margin.
  const execError =
    /^the helper in orders-taskmanager-0 sent more than 2\.4 MiB through kubectl exec, more than a profile of --max-file-mib 1 takes; the rest was not read.*raise --max-file-mib/;

  it.each([
    ["job", "lines", lines, [], jobError],
    ["exec", "lines", lines, ["--max-file-mib", "1"], execError],
    ["job", "one line", oneLine, [], jobError],
    ["exec", "one line", oneLine, ["--max-file-mib", "1"], execError],
  ] as const)(
    "is cut off at its bound (--via %s, %s): the target fails naming the limit, the profiler is stopped, no Job stays",
    async (via, _kind, flood, more, error) => {
      fx = await fixtureWithHelper(flood);
      const t0 = Date.now();
      const r = await runMeasured(args(fx, "--via", via, ...more));
      const seconds = (Date.now() - t0) / 1000;
      expect(r.code, r.stderr).toBe(1);
      const [t] = JSON.parse(r.stdout).targets;
      expect(t).toMatchObject({ target: POD, status: "failed", files: [] });
      expect(t.error).toMatch(error);
      // The helper never ends (sleep 600): only a reader that stops at its bound finishes (in 2-6 s here).
      expect(seconds).toBeLessThan(20);
      // Counted as the bytes came: before the bound, the CLI peaked at 336 MiB holding the lines; now 85-125.
      expect(r.peakRssMiB).toBeLessThan(200);
      expect(readFileSync(path.join(fx.dir, "stops"), "utf8")).toBe("stop\n");
      expect(r.stderr).toMatch(/stopping the profiler in 1 TaskManager/);
      expect(leftovers(fx.k8s)).toEqual([]);
    },
  );
});

/** profile.mjs on the project's Node (no wrapper process), with its peak RSS read from /proc as it runs. */
async function runMeasured(argv: string[]) {
  const projectNode = path.join(repoRoot, "node_modules/node/bin/node");
  const node = existsSync(projectNode) ? projectNode : process.execPath;
  const child = spawn(node, [path.join(repoRoot, "scripts/profile.mjs"), ...argv], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  cli = child;
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  let peakKiB = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
    } catch {
      // Gone: the last reading stands.
    }
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(poll);
  return { code, stdout, stderr, peakRssMiB: peakKiB / 1024 };
}
