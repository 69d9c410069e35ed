// Issue 11, finding 1: what the helper publishes must be the very file it created. Someone who can write
// to the output directory replaces one of the run's files while the run makes it (same name, same bytes,
// another inode); the helper must refuse to publish, say why, and keep nothing. The replacement is made
// certain with real asprof on a real JVM: an asprof wrapper does it right after the helper's `dump`
// wrote the flame graph (the second of two files, so that each file is checked as itself).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { asyncProfilerHome, helperPath } from "../scripts/lib/helper-events.ts";
import { startBusyJvm, type BusyJvm } from "./support/busy-jvm.ts";
import { jsonLines } from "./support/json-lines.ts";

const REAL_ASPROF = join(asyncProfilerHome(), "bin/asprof");
let base: string;
let replacingHome: string;
let jvm: BusyJvm;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "helper-replaced-"));
  replacingHome = join(base, "async-profiler");
  mkdirSync(join(replacingHome, "bin"), { recursive: true });
  symlinkSync(join(asyncProfilerHome(), "lib"), join(replacingHome, "lib"));
  // After a real dump: the file it wrote (-f) is moved aside and a copy put under its name.
  writeFileSync(
    join(replacingHome, "bin/asprof"),
    [
      "#!/usr/bin/env bash",
      `${REAL_ASPROF} "$@"`,
      "rc=$?",
      "if [[ $1 == dump ]]; then",
      "  for ((i = 1; i < $#; i++)); do [[ ${!i} == -f ]] && { j=$((i + 1)); f=${!j}; }; done",
      `  mv -- "$f" "${base}/moved-aside" && cp -- "${base}/moved-aside" "$f"`,
      "fi",
      "exit $rc",
      "",
    ].join("\n"),
  );
  chmodSync(join(replacingHome, "bin/asprof"), 0o755);
  jvm = await startBusyJvm(base);
});

afterAll(() => {
  jvm?.stop();
  if (base) rmSync(base, { recursive: true, force: true });
});

it("refuses to publish a file replaced while the run made it, and keeps nothing", () => {
  const out = join(base, "out");
  mkdirSync(out);
  const r = spawnSync(
    helperPath(),
    ["--pid", String(jvm.pid), "-e", "itimer", "-d", "1", "-f", "collapsed,html", "-o", out, "--name", "run"],
    { encoding: "utf8", env: { ...process.env, ASYNC_PROFILER_HOME: replacingHome } },
  );
  const events = jsonLines(r.stdout);
  const errors = events.filter((e) => e.type === "error");
  expect(errors, r.stdout + r.stderr).toHaveLength(1);
  expect(errors[0].code).toBe("output-replaced");
  expect(errors[0].message).toMatch(/\.run\.html\.[A-Za-z0-9]+\.part is no longer the file this run created/);
  expect(r.status).not.toBe(0);
  expect(events.filter((e) => e.type === "result")).toEqual([]);
  expect(readdirSync(out)).toEqual([]);
  expect(readdirSync(base)).toContain("moved-aside");
});
