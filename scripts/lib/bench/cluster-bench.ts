// `npm run bench:cluster`: how the cluster profiler's wall time and its own CPU grow with the number of
// TaskManagers. The API stand-in runs in a child process; the profiler runs here, so process.cpuUsage()
// is the script's own CPU. Helper calls are simulated (realistic events and records, no JVM).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { execa } from "execa";
import { helperPath } from "../helper-events.ts";
import { parseProfileCommand } from "../profile-cli.ts";
import { profileCluster } from "../cluster/cluster-profile.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

/**
 * A sample profile's transport records, encoded by the real helper: collapsed stacks, the one file a Job
 * sends for the default html, sized like a 60 s profile. The flame graph is drawn here, as in a real run.
 */
async function sampleRecords(dir: string): Promise<string> {
  const frames = Array.from({ length: 400 }, (_, i) => `com/example/orders/Stage${i % 40}.method${i}_[j]`);
  const collapsed = Array.from(
    { length: 3000 },
    (_, i) => `${frames.slice(0, 5 + (i % 30)).join(";")};leaf${i % 97} ${1 + (i % 13)}`,
  ).join("\n");
  writeFileSync(path.join(dir, "sample.collapsed"), collapsed);
  const file = path.join(dir, "records.jsonl");
  await execa(helperPath(), ["encode", path.join(dir, "sample.collapsed")], {
    stdout: { file },
    stderr: "inherit",
  });
  return file;
}

async function startStandin(n: number, records: string) {
  const child = execa(process.execPath, [path.join(repoRoot, "test/support/bench-standin.ts"), String(n), records], {
    stdin: "ignore",
    stderr: "inherit",
    buffer: false,
    reject: false,
    // stop() waits for the stand-in to shut its API server down, however long that takes.
    forceKillAfterDelay: false,
  });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`stand-in exited with ${code}`)));
  });
  const { kubeconfig } = JSON.parse(first) as { kubeconfig: string };
  return {
    kubeconfig,
    stop: async () => {
      child.kill("SIGTERM");
      await child;
    },
  };
}

export async function runClusterBench(sizes: number[], duration: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-cluster-"));
  try {
    const records = await sampleRecords(dir);
    console.log(
      `cluster profiler, ${duration} s profiles, simulated helper; Jobs through the API stand-in and the real kubectl`,
    );
    console.log("TaskManagers  wall s  script CPU s  CPU ms per TM  ok");
    for (const n of sizes) {
      const standin = await startStandin(n, records);
      try {
        const cmd = parseProfileCommand([
          "--kubeconfig",
          standin.kubeconfig,
          "-n",
          "flink",
          "--cluster",
          "orders",
          "-d",
          String(duration),
          "--concurrency",
          String(Math.max(n, 1)),
          "-o",
          path.join(dir, "out"),
        ]);
        if (cmd.kind !== "cluster") throw new Error("expected a cluster command");
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const run = await profileCluster(cmd);
        const wall = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const cpuS = (cpu.user + cpu.system) / 1e6;
        const ok = run.targets.filter((t) => t.status === "ok").length;
        console.log(
          `${String(n).padStart(12)}  ${wall.toFixed(1).padStart(6)}  ${cpuS.toFixed(2).padStart(12)}  ${((cpuS * 1000) / n).toFixed(0).padStart(13)}  ${ok}/${n}`,
        );
      } finally {
        await standin.stop();
      }
    }
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
