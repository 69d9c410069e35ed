// The FlinkRest built from the helper's rest records (pure).
import { describe, expect, it } from "vitest";
import { FlinkRestError } from "../../scripts/lib/flink-rest/http.ts";
import { recordedRest } from "../../scripts/lib/flink-rest/recorded-rest.ts";
import { HintedError } from "../../scripts/lib/profile-options.ts";

const rest = recordedRest(
  [
    { type: "rest", path: "/jobs/overview", status: 200, body: '{"jobs":[{"jid":"a","state":"RUNNING"}]}' },
    { type: "rest", path: "/jobs/b", status: 404, body: '{"errors":["Job b not found"]}' },
    { type: "rest", path: "/jobs/c", status: 200, body: "<html>" },
  ],
  "http://orders-rest:8081",
);

describe("recordedRest", () => {
  it("answers a recorded path with its JSON", async () => {
    expect(await rest.getJson("/jobs/overview")).toEqual({ jobs: [{ jid: "a", state: "RUNNING" }] });
  });
  it("turns a recorded error answer into Flink's error", async () => {
    const err = (await rest.getJson("/jobs/b").catch((e: unknown) => e)) as FlinkRestError;
    expect(err).toBeInstanceOf(FlinkRestError);
    expect(err.status).toBe(404);
    expect(err.message).toBe("GET http://orders-rest:8081/jobs/b: HTTP 404: Job b not found");
  });
  it("says which path is missing, and what is not JSON", async () => {
    await expect(rest.getJson("/jobs/zzz")).rejects.toThrow(
      /read no answer for GET \/jobs\/zzz from http:\/\/orders-rest:8081/,
    );
    await expect(rest.getJson("/jobs/c")).rejects.toThrow(/is not JSON/);
  });
  it("does not POST or download", async () => {
    await expect(rest.postJson("/taskmanagers/x/profiler", {})).rejects.toBeInstanceOf(HintedError);
    await expect(rest.getBytes("/x")).rejects.toBeInstanceOf(HintedError);
  });
});
