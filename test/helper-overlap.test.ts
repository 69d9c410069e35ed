// Issue 11, finding 3: a profile someone starts on the same JVM just as ours ends must not leak into our
// files. With several formats the helper makes the others with `asprof dump` after its session ended; a
// session begun in between replaces the agent's samples. The race is made certain, with real asprof on a
// real JVM: an asprof wrapper starts that other session right before the helper's first `dump`.
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { asyncProfilerHome, helperPath } from "../scripts/lib/helper-events.ts";
import { startBusyJvm, type BusyJvm } from "./support/busy-jvm.ts";
import { jsonLines } from "./support/json-lines.ts";

const REAL_ASPROF = join(asyncProfilerHome(), "bin/asprof");
let base: string;
let racingHome: string;
let jvm: BusyJvm;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "helper-overlap-"));
  racingHome = join(base, "async-profiler");
  mkdirSync(join(racingHome, "bin"), { recursive: true });
  symlinkSync(join(asyncProfilerHome(), "lib"), join(racingHome, "lib"));
  const marker = join(base, "other-session-started");
  writeFileSync(
    join(racingHome, "bin/asprof"),
    [
      "#!/usr/bin/env bash",
      `if [[ $1 == dump && ! -e ${marker} ]]; then`,
      `  touch ${marker}`,
      `  ${REAL_ASPROF} start -e itimer --timeout 30 "\${@: -1}" > /dev/null`,
      "fi",
      `exec ${REAL_ASPROF} "$@"`,
      "",
    ].join("\n"),
  );
  chmodSync(join(racingHome, "bin/asprof"), 0o755);
  jvm = await startBusyJvm(base);
});

afterAll(() => {
  if (jvm) spawnSync(REAL_ASPROF, ["stop", String(jvm.pid)], { stdio: "ignore" });
  jvm?.stop();
  if (base) rmSync(base, { recursive: true, force: true });
});

it("refuses the formats made after its session when another session began in between, and leaves that one running", () => {
  const out = join(base, "out");
  mkdirSync(out);
  const r = spawnSync(
    helperPath(),
    ["--pid", String(jvm.pid), "-e", "itimer", "-d", "2", "-f", "collapsed,html", "-o", out, "--name", "first"],
    {
      encoding: "utf8",
      env: { ...process.env, ASYNC_PROFILER_HOME: racingHome },
    },
  );
  const events = jsonLines(r.stdout);
  expect(existsSync(join(base, "other-session-started")), "the wrapper started the other session").toBe(true);
  const errors = events.filter((e) => e.type === "error");
  expect(errors, r.stdout + r.stderr).toHaveLength(1);
  expect(r.status).toBe(4);
  expect(errors[0].code).toBe("already-running");
  expect(events.filter((e) => e.type === "result")).toEqual([]);
  expect(readdirSync(out)).toEqual([]);
  // The other session is not ours to end.
  expect(execFileSync(REAL_ASPROF, ["status", String(jvm.pid)], { encoding: "utf8" })).toMatch(/^Profiling is running/);
});
