// Issue 11, finding 7: records are made in TMPDIR (gzip and base64 copies of the result). When that
// volume is full, the error must name TMPDIR (not the output volume), and `--keep-files` must keep the
// profile's files, which are whole and already reported. Real asprof on a real JVM; TMPDIR is a tmpfs
// of 16 KiB filled up before the run (mounted as root, unmounted in afterAll).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asyncProfilerHome, helperPath } from "../scripts/lib/helper-events.ts";
import { startBusyJvm, type BusyJvm } from "./support/busy-jvm.ts";

let base: string;
let fullTmp: string;
let jvm: BusyJvm;

function helper(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(helperPath(), args, {
    encoding: "utf8",
    env: { ...process.env, ASYNC_PROFILER_HOME: asyncProfilerHome(), ...env },
  });
  // JSON.parse, not the product's parser: every stdout line must be a JSON object.
  return {
    code: r.status,
    events: r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
    stderr: r.stderr,
  };
}

beforeAll(async () => {
  expect(process.getuid!(), "this test mounts a tmpfs").toBe(0);
  base = mkdtempSync(join(tmpdir(), "helper-full-tmpdir-"));
  fullTmp = join(base, "tmp");
  mkdirSync(fullTmp);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=16k,mode=1777", "tmpfs", fullTmp]);
  // Fill it: dd stops at ENOSPC (exit status 1), leaving not one free block.
  spawnSync("dd", ["if=/dev/zero", `of=${join(fullTmp, "filler")}`, "bs=4096"], { stdio: "ignore" });
  jvm = await startBusyJvm(base);
});

afterAll(() => {
  jvm?.stop();
  if (fullTmp) spawnSync("umount", [fullTmp]);
  if (base) rmSync(base, { recursive: true, force: true });
});

describe("records on a full TMPDIR", () => {
  it.each([
    ["--keep-files keeps the profile's files", true],
    ["without --keep-files, nothing is left behind", false],
  ])("%s, and the error names TMPDIR", (_, keep) => {
    const out = join(base, keep ? "out-keep" : "out");
    mkdirSync(out, { mode: 0o755 });
    const args = [
      "--pid",
      String(jvm.pid),
      "-e",
      "itimer",
      "-d",
      "1",
      "-f",
      "collapsed",
      "-o",
      out,
      "--name",
      "busy",
      "--emit-records",
      ...(keep ? ["--keep-files"] : []),
    ];
    const run = helper(args, { TMPDIR: fullTmp });
    const errors = run.events.filter((e) => e.type === "error");
    expect(errors, JSON.stringify(run.events) + run.stderr).toHaveLength(1);
    expect(run.code).toBe(5);
    expect(errors[0].code).toBe("encode-failed");
    expect(errors[0].message).toContain(fullTmp);
    expect(errors[0].hint).toContain("TMPDIR");
    expect(run.events.filter((e) => e.type === "chunk")).toEqual([]);
    if (keep) {
      expect(errors[0].message).toContain(join(out, "busy.collapsed"));
      // The kept file is the whole profile: collapsed lines "frames count", the last one ending the file.
      const text = readFileSync(join(out, "busy.collapsed"), "utf8");
      expect(text).toMatch(/^(\S.* \d+\n)+$/);
      expect(text).toContain("Busy.spin");
    } else {
      expect(readdirSync(out)).toEqual([]);
    }
    // Nothing of ours is left in the full TMPDIR either.
    expect(readdirSync(fullTmp)).toEqual(["filler"]);
    expect(
      execFileSync(join(asyncProfilerHome(), "bin/asprof"), ["status", String(jvm.pid)], { encoding: "utf8" }),
    ).toMatch(/not active/);
  });
});
