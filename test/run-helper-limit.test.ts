// runHelper holds a bounded amount of a helper's output: a process that writes without end (a helper gone
// wrong, a pod that is not ours behind `kubectl exec`) is stopped at the limit, and the run says so.
import { describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { profileLocal } from "../scripts/lib/local-profile.ts";
import { parseProfileCommand } from "../scripts/lib/profile-cli.ts";
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

  it("--local says a helper that floods its output was stopped, and why", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flood-helper-"));
    try {
      const helper = join(dir, "flink-profiler");
      writeFileSync(helper, `#!/usr/bin/env bash\n${FLOOD}\n`);
      chmodSync(helper, 0o755);
      const cmd = parseProfileCommand(["--local", "--pid", String(process.pid), "-d", "1", "-o", join(dir, "out")]);
      if (cmd.kind !== "local") throw new Error("not a local command");
      const [t] = await profileLocal(cmd, { helper });
      expect(t).toMatchObject({ status: "failed" });
      expect(t!.error?.message).toMatch(/wrote more than 4 MiB of output and was stopped/);
      expect(t!.error?.hint).toContain(helper);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
