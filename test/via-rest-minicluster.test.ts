// `--via rest` on a real Flink MiniCluster: two TaskManagers in one JVM, so one profiler (Flink's is a JVM-wide
// singleton that refuses a second profile while one runs). The MiniCluster is test/support/MiniClusterOrders.java,
// compiled here against the Flink jars the other tests run; the sample orders job is submitted to it over REST.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isAlive } from "../scripts/demo/local-flink/index.ts";
import { HOT, positionalShares, profileMjs, sleep } from "./support/via-rest.ts";

let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), "via-rest-"));
  return () => rmSync(out, { recursive: true, force: true });
});

describe("--via rest on a MiniCluster (two TaskManagers, one JVM)", () => {
  const flinkCache = resolve(".cache/flink");
  let dir: string;
  let jvm: ChildProcess | undefined;
  let restUrl: string;
  let ids: string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "via-rest-minicluster-"));
    const classpath = readFileSync(join(flinkCache, "classpath.txt"), "utf8").trim();
    execFileSync("javac", ["-d", dir, "-cp", classpath, resolve("test/support/MiniClusterOrders.java")]);
    const port = await new Promise<number>((ok) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const p = (server.address() as { port: number }).port;
        server.close(() => ok(p));
      });
    });
    restUrl = `http://127.0.0.1:${port}`;
    jvm = spawn("java", ["-Xmx768m", "-cp", `${dir}:${classpath}`, "MiniClusterOrders", String(port), "2"], {
      stdio: "ignore",
    });
    for (let i = 0; i < 240; i++) {
      // Until it is up, the REST API refuses to connect, or answers {"errors": […]} while its leader is elected.
      const tms = await fetch(`${restUrl}/taskmanagers`).then(
        (r) => r.json() as Promise<{ taskmanagers?: { id: string }[] }>,
        () => undefined,
      );
      if (tms?.taskmanagers?.length === 2) {
        ids = tms!.taskmanagers.map((t) => t.id).sort();
        break;
      }
      await sleep(500);
    }
    expect(ids).toHaveLength(2);
    execFileSync(
      "java",
      [
        "-cp",
        `${join(flinkCache, "orders-job.jar")}:${classpath}`,
        "com.example.orders.SubmitOrdersJob",
        "--rest-port",
        String(port),
        "--parallelism",
        "2",
      ],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 240; i++) {
      const jobs = (await (await fetch(`${restUrl}/jobs/overview`)).json()) as {
        jobs?: { state: string; tasks: { running: number; total: number } }[];
      };
      if (jobs.jobs?.some((j) => j.state === "RUNNING" && j.tasks.running === j.tasks.total)) break;
      await sleep(500);
    }
    // A JVM that has just started spends its first seconds compiling (C2 frames top a profile then): let the
    // JIT settle, as it has in the session clusters by the time they are profiled.
    await sleep(10_000);
  });
  afterAll(async () => {
    if (jvm?.pid !== undefined) {
      jvm.kill("SIGTERM");
      for (let i = 0; i < 50 && isAlive(jvm.pid); i++) await sleep(200);
      if (isAlive(jvm.pid)) jvm.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("profiles the JVM once, and says the profile covers the other TaskManager", async () => {
    const r = await profileMjs([
      "--via",
      "rest",
      "--flink-rest",
      restUrl,
      "-d",
      "4",
      "-e",
      "itimer",
      "-o",
      out,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { targets } = JSON.parse(r.stdout);
    expect(targets.map((t: { target: string }) => t.target)).toEqual([ids[0]]);
    expect(targets[0].notices).toEqual([
      `${ids[1]} runs in the same JVM (a MiniCluster): Flink profiles the whole JVM, so this profile covers it too`,
    ]);
    const html = positionalShares(readFileSync(targets[0].files[0], "utf8"));
    expect(html.total(`${HOT}.encode`) / html.samples, JSON.stringify(targets[0].top)).toBeGreaterThan(0.3);
    expect(readdirSync(out)).toHaveLength(1);
  });

  it("(why: Flink refuses a second TaskManager of a JVM while the first is profiled)", async () => {
    const post = (id: string) =>
      fetch(`${restUrl}/taskmanagers/${id}/profiler`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"mode":"ITIMER","duration":2}',
      });
    expect((await post(ids[0]!)).status).toBe(200);
    const second = await post(ids[1]!);
    expect(second.status).toBe(500);
    expect(JSON.stringify(await second.json())).toContain(`${ids[1]} is still under profiling.`);
    await sleep(3000);
  });
});
