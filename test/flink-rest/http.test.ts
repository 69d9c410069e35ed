// The REST client's own behaviour, against a loopback HTTP server that answers as Flink does on errors
// ({"errors": [...]}); talking to real Flink is covered by the operator and --via rest tests.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flinkRest, FlinkRestError, parseRestUrl } from "../../scripts/lib/flink-rest/http.ts";
import { UsageError } from "../../scripts/lib/profile-options.ts";

describe("parseRestUrl", () => {
  it("keeps scheme, host, port and path prefix, without a trailing slash", () => {
    expect(parseRestUrl("http://127.0.0.1:8081/")).toBe("http://127.0.0.1:8081");
    expect(parseRestUrl("https://flink.example:443/proxy/")).toBe("https://flink.example/proxy");
  });
  it.each(["127.0.0.1:8081", "file:///etc/passwd", "http://u:p@h:1", "http://h:1/?x=1", "not a url", ""])(
    "refuses %j",
    (v) => {
      expect(() => parseRestUrl(v)).toThrow(UsageError);
    },
  );
});

describe("flinkRest", () => {
  let server: Server;
  let base = "";
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === "/jobs") return res.end(JSON.stringify({ jobs: [{ id: "a", status: "RUNNING" }] }));
      if (req.url === "/redirect") return res.writeHead(302, { location: "/jobs" }).end();
      if (req.url === "/slow") return; // never answers
      if (req.url === "/big") return res.end(Buffer.alloc(4096, 65));
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ errors: ["Not found: /nope"] }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it("reads bytes, and refuses more than it was told to expect", async () => {
    expect((await flinkRest(base).getBytes("/big")).length).toBe(4096);
    await expect(flinkRest(base).getBytes("/big", 1024)).rejects.toThrow(/sent more than 1024 bytes/);
  });

  it("reads JSON", async () => {
    expect(await flinkRest(base).getJson("/jobs")).toEqual({ jobs: [{ id: "a", status: "RUNNING" }] });
  });
  it("reports Flink's own error message and the status", async () => {
    const err = (await flinkRest(base)
      .getJson("/nope")
      .catch((e: unknown) => e)) as FlinkRestError;
    expect(err).toBeInstanceOf(FlinkRestError);
    expect(err.status).toBe(404);
    expect(err.message).toContain("Not found: /nope");
  });
  it("does not follow redirects", async () => {
    const before = seen.length;
    await expect(flinkRest(base).getJson("/redirect")).rejects.toThrow(/cannot reach/);
    expect(seen.slice(before)).toEqual(["GET /redirect"]);
  });
  it("gives up after its timeout with a hint", async () => {
    const err = (await flinkRest(base, { timeoutMs: 300 })
      .getJson("/slow")
      .catch((e: unknown) => e)) as FlinkRestError;
    expect(err.message).toMatch(/no answer within 0.3 s/);
    expect(err.hint).toMatch(/rest.port/);
  });
  it("says when nothing listens", async () => {
    await expect(flinkRest("http://127.0.0.1:1").getJson("/jobs")).rejects.toThrow(
      /cannot reach Flink's REST API at http:\/\/127.0.0.1:1/,
    );
  });
});
