// The helper's `rest` action against a real Flink 2.3 JobManager, through a loopback proxy that records
// every request: it sends only GETs, only to the documented paths, built from the ids Flink gave; the
// answers it sends back are the JobManager's. Bad input and an unreachable or foreign endpoint are clear
// errors. (The cluster tier runs it inside a real TaskManager pod.)
import { execFile } from "node:child_process";
import { createServer, request, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helperPath } from "../scripts/lib/helper-events.ts";
import { startLocalFlink, type LocalFlink } from "../scripts/demo/local-flink/index.ts";

let flink: LocalFlink;
let proxy: Server;
let proxyUrl = "";
const seen: string[] = [];
let foreign: Server;
let foreignUrl = "";
// A stand-in JobManager with a job larger than the local one: 12 vertices at parallelism 3.
let big: Server;
let bigUrl = "";
const bigSeen: string[] = [];
let bigOpen = 0;
let bigMostOpen = 0;
const BIG_JOB = "b".repeat(32);
const bigVertices = Array.from({ length: 12 }, (_, i) => i.toString(16).padStart(32, "0"));

function listen(server: Server): Promise<string> {
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () => ok(`http://127.0.0.1:${(server.address() as { port: number }).port}`)),
  );
}

// Asynchronous: the proxy and the foreign server answer from this process's event loop.
function helper(args: string[]): Promise<{ code: number | null; lines: any[]; stderr: string }> {
  return new Promise((ok) => {
    execFile(helperPath(), args, { encoding: "utf8", maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === "number"
          ? (err as { code: number }).code
          : null
        : 0;
      // JSON.parse, not the product's parser: every stdout line must be a JSON object.
      ok({
        code,
        lines: stdout
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
        stderr,
      });
    });
  });
}

beforeAll(async () => {
  flink = await startLocalFlink({ taskManagers: 2 });
  const target = new URL(flink.restUrl);
  proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const up = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(up);
  });
  proxyUrl = await listen(proxy);
  foreign = createServer((_req, res) => res.writeHead(404, { "content-type": "text/plain" }).end("not here"));
  foreignUrl = await listen(foreign);
  big = createServer((req, res) => {
    bigSeen.push(req.url ?? "");
    bigOpen += 1;
    bigMostOpen = Math.max(bigMostOpen, bigOpen);
    res.on("close", () => (bigOpen -= 1));
    const url = req.url ?? "";
    const vertex = /^\/jobs\/b{32}\/vertices\/([0-9a-f]{32})$/.exec(url);
    const body =
      url === "/jobs/overview"
        ? { jobs: [{ jid: BIG_JOB, name: "big", state: "RUNNING" }] }
        : url === "/jobs"
          ? { jobs: [{ id: BIG_JOB, status: "RUNNING" }] }
          : url === `/jobs/${BIG_JOB}`
            ? { jid: BIG_JOB, vertices: bigVertices.map((id) => ({ id, name: `v${id}`, parallelism: 3 })) }
            : vertex
              ? { id: vertex[1], name: "v", parallelism: 3, subtasks: [] }
              : [{ id: "busyTimeMsPerSecond", value: "1.0" }];
    // Answers come a little later, so that the GETs of a wave are open at the same time.
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body)), 20);
  });
  bigUrl = await listen(big);
});

afterAll(async () => {
  proxy?.close();
  foreign?.close();
  big?.close();
  await flink?.stop();
});

describe("flink-profiler rest", () => {
  it("reads the running job's vertices and their load, with GETs only, to the documented paths", async () => {
    const all = await helper(["rest", "--rest-url", proxyUrl]);
    expect(all.code, all.stderr).toBe(0);
    // The last line counts the answers, so that a reader may stop at it.
    const last = all.lines.at(-1);
    const run = { lines: all.lines.slice(0, -1) };
    expect(last).toEqual({ type: "rest-end", records: run.lines.length });
    expect(run.lines.every((l) => l.type === "rest")).toBe(true);

    // What the job is, asked here with Node's own client.
    const job = (await (await fetch(`${flink.restUrl}/jobs/${flink.jobId}`)).json()) as {
      vertices: { id: string; parallelism: number }[];
    };
    const metrics = "get=busyTimeMsPerSecond,backPressuredTimeMsPerSecond";
    // First every vertex's places and load, then every subtask's load (asked for side by side).
    const places: string[] = [];
    const subtasks: string[] = [];
    for (const v of job.vertices) {
      places.push(
        `/jobs/${flink.jobId}/vertices/${v.id}`,
        `/jobs/${flink.jobId}/vertices/${v.id}/subtasks/metrics?${metrics}&agg=max,avg`,
      );
      for (let i = 0; i < v.parallelism; i++)
        subtasks.push(`/jobs/${flink.jobId}/vertices/${v.id}/subtasks/${i}/metrics?${metrics}`);
    }
    const expected = ["/jobs/overview", `/jobs/${flink.jobId}`, ...places, ...subtasks];
    expect(run.lines.map((l) => l.path)).toEqual(expected);
    expect(run.lines.every((l) => l.status === 200)).toBe(true);
    // The proxy saw those (and GET /jobs, read to find the running jobs), nothing else, and only GETs; the
    // GETs of one wave reach it in any order.
    expect(seen.slice(0, 3)).toEqual([`GET /jobs/overview`, "GET /jobs", `GET /jobs/${flink.jobId}`]);
    expect([...seen].sort()).toEqual(["GET /jobs", ...expected.map((p) => `GET ${p}`)].sort());
    // The bodies are the JobManager's JSON.
    const detail = JSON.parse(run.lines[1].body);
    expect(detail.jid).toBe(flink.jobId);
    expect(JSON.parse(run.lines[0].body).jobs.map((j: { jid: string }) => j.jid)).toContain(flink.jobId);
  });

  it("reads a job of 12 vertices at parallelism 3 in waves of at most 16 GETs, its answers in order", async () => {
    const run = await helper(["rest", "--rest-url", bigUrl]);
    expect(run.code, run.stderr).toBe(0);
    const metrics = "get=busyTimeMsPerSecond,backPressuredTimeMsPerSecond";
    const base = `/jobs/${BIG_JOB}/vertices`;
    const expected = [
      "/jobs/overview",
      `/jobs/${BIG_JOB}`,
      ...bigVertices.flatMap((v) => [`${base}/${v}`, `${base}/${v}/subtasks/metrics?${metrics}&agg=max,avg`]),
      ...bigVertices.flatMap((v) => [0, 1, 2].map((i) => `${base}/${v}/subtasks/${i}/metrics?${metrics}`)),
    ];
    expect(run.lines.slice(0, -1).map((l) => l.path)).toEqual(expected);
    expect(run.lines.at(-1)).toEqual({ type: "rest-end", records: expected.length });
    expect([...bigSeen].sort()).toEqual(["/jobs", ...expected].sort());
    // Side by side, but never more than a wave at once.
    expect(bigMostOpen).toBeGreaterThan(1);
    expect(bigMostOpen).toBeLessThanOrEqual(16);
  });

  it("--job reads that job only", async () => {
    const run = await helper(["rest", "--rest-url", proxyUrl, "--job", flink.jobId]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines[1].path).toBe(`/jobs/${flink.jobId}`);
  });

  it.each([
    [["rest"], /needs --rest-url/],
    [["rest", "--rest-url", "https://jm:8081"], /must be http:\/\/HOST/],
    [["rest", "--rest-url", "http://jm:8081/jobs/x/yarn-cancel"], /must be http:\/\/HOST/],
    [["rest", "--rest-url", "http://user@jm:8081"], /must be http:\/\/HOST/],
    [["rest", "--rest-url", "http://jm:99999"], /port out of range/],
    [["rest", "--rest-url", "http://jm:8081", "--job", "../../jobs"], /--job must be a Flink job id/],
    [["rest", "--rest-url", "http://jm:8081", "--bogus", "1"], /unknown option for rest/],
  ])("refuses %j before any request", async (args, message) => {
    const before = seen.length;
    const run = await helper(args);
    expect(run.code).toBe(2);
    expect(run.lines).toEqual([
      expect.objectContaining({ type: "error", code: "bad-input", message: expect.stringMatching(message) }),
    ]);
    expect(seen.length).toBe(before);
  });

  it("says when nothing answers, and when the endpoint is not Flink's", async () => {
    const closed = await helper(["rest", "--rest-url", "http://127.0.0.1:1"]);
    expect(closed.code).toBe(3);
    expect(closed.lines).toEqual([
      expect.objectContaining({
        type: "error",
        code: "rest-unreachable",
        message: "cannot connect to 127.0.0.1:1 (4 tries; the name resolves to 127.0.0.1)",
      }),
    ]);
    const other = await helper(["rest", "--rest-url", foreignUrl]);
    expect(other.code).toBe(3);
    expect(other.lines.at(-1)).toMatchObject({
      type: "error",
      code: "rest-failed",
      message: expect.stringMatching(/GET \/jobs\/overview answered HTTP 404: not here/),
    });
  });
});
