// runHelper holds a bounded amount of a helper's output: a process that writes without end (a helper gone
// wrong, a pod that is not ours behind `kubectl exec`) is stopped at the limit, and the run says so.
import { describe, expect, it } from "vitest";
import { runHelper } from "../scripts/lib/run-helper.ts";

// Ten million bytes and no newline: readline alone would hold all of it as one line.
const FLOOD = "head -c 10000000 /dev/zero | tr '\\0' x";

describe("runHelper's output limit", () => {
  it("stops a process whose stdout passes the limit, keeping the events before it", async () => {
    const run = await runHelper(
      ["bash", "-c", `echo '{"type":"stopped","pid":1,"role":"taskmanager","wasActive":false}'; ${FLOOD}`],
      { maxOutputBytes: 100_000 },
    );
    expect(run.overLimit).toBe(true);
    expect(run.events.map((e) => e.type)).toEqual(["stopped"]);
  });

  it("counts stderr too, and keeps only the start of a long stderr line", async () => {
    const run = await runHelper(["bash", "-c", `${FLOOD} >&2`], { maxOutputBytes: 100_000 });
    expect(run.overLimit).toBe(true);
    for (const l of run.stderrTail) expect(l.length).toBeLessThanOrEqual(2001);
  });

  it("leaves a run within the limit as it was", async () => {
    const run = await runHelper(["bash", "-c", "echo hello >&2; exit 3"], { maxOutputBytes: 100_000 });
    expect(run).toEqual({ exitCode: 3, signal: null, events: [], stderrTail: ["hello"] });
  });
});
