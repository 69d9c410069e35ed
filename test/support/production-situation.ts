// The image's situation on this machine, for the helper's production tests: the TaskManager JVM runs as uid
// 9999 (a Flink of its own, started through a setpriv launcher), another user's JVM (the JobManager, uid 0)
// is beside it, and small tmpfs volumes can be mounted. The test process must be root: it creates the users
// and the mounts, and productionSituation() registers the hooks that start and take all of it down.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { startLocalFlink, type LocalFlink } from "../../scripts/demo/local-flink/index.ts";
import { asyncProfilerHome, helperPath } from "../../scripts/lib/helper-events.ts";

export const JVM_UID = 9999; // the official Flink image's user
export const OTHER_UID = 65534; // nobody: another user on the machine
export const AP_HOME = asyncProfilerHome();
export const ASPROF = join(AP_HOME, "bin/asprof");
export const PROFILE = resolve("scripts/profile.mjs");

export type Run = { code: number | null; lines: string[]; records: any[]; stderr: string };

/** Parsed here with JSON.parse, not with the product's parser: every stdout line must be a JSON object. */
function toRun(code: number | null, stdout: string, stderr: string): Run {
  const lines = stdout.split("\n").filter((l) => l !== "");
  const records = lines.map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      return { type: "not JSON", line: l };
    }
  });
  return { code, lines, records, stderr };
}

export function runAs(
  uid: number,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd?: string,
): Promise<Run> {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, {
      uid,
      gid: uid,
      cwd,
      env: { ...process.env, ASYNC_PROFILER_HOME: AP_HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => ok(toRun(code, stdout, stderr)));
  });
}

export const helper = (args: string[], opts: { uid?: number; env?: NodeJS.ProcessEnv } = {}) =>
  runAs(opts.uid ?? JVM_UID, helperPath(), args, opts.env);
export const errorOf = (run: Run) => {
  expect(run.records.filter((r) => r.type === "not JSON")).toEqual([]);
  const errors = run.records.filter((r) => r.type === "error");
  expect(errors, `stdout: ${run.lines.join("\n")}\nstderr: ${run.stderr}`).toHaveLength(1);
  return errors[0];
};
export const asprofStatus = (pid: number) => execFileSync(ASPROF, ["status", String(pid)], { encoding: "utf8" }).trim();

export function ensureUser(uid: number, name: string): void {
  if (spawnSync("getent", ["passwd", String(uid)]).status === 0) return;
  const taken = spawnSync("getent", ["passwd", name]).status === 0;
  execFileSync("useradd", [
    "--uid",
    String(uid),
    "--user-group",
    "--no-create-home",
    "--home-dir",
    "/nonexistent",
    "--shell",
    "/usr/sbin/nologin",
    taken ? `${name}${uid}` : name,
  ]);
}

/** A directory owned by `uid` with `mode`. */
export function dirOf(parent: string, name: string, uid: number, mode: number): string {
  const d = join(parent, name);
  mkdirSync(d, { recursive: true });
  chownSync(d, uid, uid);
  chmodSync(d, mode);
  return d;
}

/**
 * A launcher that runs the TaskManager's java as uid 9999. Flink's jars sit in root's Maven repository,
 * which uid 9999 cannot enter: they are hard-linked under `base` and the classpath is rewritten to them.
 */
function asJvmUser(): string {
  const classpath = readFileSync(resolve(".cache/flink/classpath.txt"), "utf8").trim().split(":");
  const links = join(base, "jars");
  for (const jar of classpath) {
    const link = join(links, jar);
    mkdirSync(dirname(link), { recursive: true, mode: 0o755 });
    linkSync(jar, link);
  }
  const launcher = join(base, "as-jvm-user");
  writeFileSync(
    launcher,
    [
      "#!/usr/bin/env bash",
      "args=()",
      'for a in "$@"; do',
      `  if [[ \${prev:-} == -cp ]]; then a=:$a; a=\${a//://:${links}/}; a=\${a#:}; fi`,
      '  args+=("$a") prev=$a',
      "done",
      `exec setpriv --reuid=${JVM_UID} --regid=${JVM_UID} --clear-groups "\${args[@]}"`,
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  return launcher;
}

let base: string; // root-owned, 0755: everything of a test file lives under it
let flink: LocalFlink;
let tm: number; // the TaskManager JVM, uid 9999
let jm: number; // the JobManager JVM, uid 0: another user's JVM for the helper
const mounts: string[] = [];
let scratch: string[] = [];

export function mountTmpfs(name: string, size: string): string {
  const d = join(base, name);
  mkdirSync(d);
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=1777`, "tmpfs", d]);
  mounts.push(d);
  return d;
}

/**
 * Registers the hooks that set the situation up (beforeAll), clean the scratch directories and volumes
 * after each test, and take it all down (afterAll). Its values are read after the beforeAll hooks ran.
 */
export function productionSituation() {
  beforeAll(async () => {
    expect(process.getuid!(), "this test sets up users and mounts as root").toBe(0);
    ensureUser(JVM_UID, "flink");
    base = mkdtempSync(join(tmpdir(), "helper-production-"));
    chmodSync(base, 0o755);
    // The TaskManager as uid 9999 writes its log and temporary files into directories of its own.
    const work = join(base, "flink");
    mkdirSync(join(work, "tmp"), { recursive: true });
    chmodSync(work, 0o755);
    dirOf(work, "log", JVM_UID, 0o755);
    dirOf(join(work, "tmp"), "tm-1", JVM_UID, 0o700);
    flink = await startLocalFlink({ taskManagers: 1, workDir: work, taskManagerLauncher: [asJvmUser()] });
    tm = flink.taskManagers[0]!.pid;
    jm = flink.jobManager.pid;
    expect(readFileSync(`/proc/${tm}/status`, "utf8")).toMatch(new RegExp(`^Uid:\\s+${JVM_UID}\\s`, "m"));
  }, 240_000);

  afterAll(async () => {
    await flink?.stop();
    for (const m of mounts) spawnSync("umount", [m]);
    if (base) rmSync(base, { recursive: true, force: true });
  });

  afterEach(() => {
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
    scratch = [];
    for (const m of mounts) for (const f of readdirSync(m)) rmSync(join(m, f), { recursive: true, force: true });
  });

  return { state: () => ({ base, tm, jm }) };
}

/** Removed after the test that made it. */
export function scratchDir(...dirs: string[]): void {
  scratch.push(...dirs);
}

/** A fresh directory owned by the JVM's user, 0755: a safe output directory. */
export function outDir(): string {
  const d = dirOf(base, `out-${scratch.length}-${Date.now()}`, JVM_UID, 0o755);
  scratch.push(d);
  return d;
}
