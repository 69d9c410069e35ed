/**
 * The image's install step, run outside Docker against tarballs in the release layout that
 * scripts/setup/async-profiler.sh builds from the Maven-sourced async-profiler (npm test runs it first).
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;
const script = path.join(root, "images/flink-profiling/install-async-profiler.sh");
const version = readFileSync(path.join(root, "images/flink-profiling/async-profiler.version"), "utf8").trim();
const tarball = (arch: string) =>
  path.join(root, `.cache/async-profiler/async-profiler-${version}-linux-${arch}.tar.gz`);
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

const work = mkdtempSync(path.join(tmpdir(), "ap-install-"));
// The unprivileged user must reach the installed files and the profile directory.
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
function table(lines: Record<string, string>): string {
  const file = path.join(work, `table-${n++}.sha256`);
  writeFileSync(
    file,
    `# test table\n${Object.entries(lines)
      .map(([name, sum]) => `${sum}  ${name}\n`)
      .join("")}`,
  );
  return file;
}
const goodTable = () =>
  table({
    [`async-profiler-${version}-linux-x64.tar.gz`]: sha256(tarball("x64")),
    [`async-profiler-${version}-linux-arm64.tar.gz`]: sha256(tarball("arm64")),
  });

function install(args: string[], env: Record<string, string> = {}) {
  const prefix = path.join(work, `prefix-${n++}`);
  const run = spawnSync("bash", [script, "--prefix", prefix, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { ...run, prefix };
}

/** e_machine of an ELF file: 62 x86-64, 183 AArch64. */
const elfMachine = (file: string) => readFileSync(file).readUInt16LE(18);

describe("install-async-profiler.sh", () => {
  it("has the release tarballs to test with", () => {
    for (const arch of ["x64", "arm64"])
      expect(existsSync(tarball(arch)), `${tarball(arch)} (built by npm test's setup)`).toBe(true);
  });

  it.each([
    ["amd64", "x64", 62],
    ["x86_64", "x64", 62],
    ["arm64", "arm64", 183],
    ["aarch64", "arm64", 183],
  ])("maps --arch %s to the %s release", (arch, apArch, machine) => {
    const run = install([
      "--tarball",
      tarball(apArch),
      "--arch",
      arch,
      "--version",
      version,
      "--checksums",
      goodTable(),
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(elfMachine(path.join(run.prefix, "bin/asprof"))).toBe(machine);
    expect(elfMachine(path.join(run.prefix, "lib/libasyncProfiler.so"))).toBe(machine);
  });

  it("takes its settings from the environment too (TARGETARCH as BuildKit sets it)", () => {
    const run = install([], { AP_TARBALL: tarball("arm64"), TARGETARCH: "arm64", AP_CHECKSUMS: goodTable() });
    expect(run.status, run.stderr).toBe(0);
    expect(elfMachine(path.join(run.prefix, "bin/asprof"))).toBe(183);
  });

  it("refuses a tarball whose sha256 is not the pinned one, and installs nothing", () => {
    const wrong = table({ [`async-profiler-${version}-linux-x64.tar.gz`]: "0".repeat(64) });
    const run = install(["--tarball", tarball("x64"), "--arch", "amd64", "--checksums", wrong]);
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(/sha256 mismatch .* expected 0{64}, got [0-9a-f]{64}/);
    expect(existsSync(run.prefix)).toBe(false);
  });

  it("refuses the right file for the wrong architecture", () => {
    const run = install(["--tarball", tarball("x64"), "--arch", "aarch64", "--checksums", goodTable()]);
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(new RegExp(`async-profiler-${version}-linux-arm64\\.tar\\.gz`));
  });

  it.each([
    [["--arch", "riscv64"], 2, /unsupported architecture 'riscv64'/],
    [["--arch", "amd64", "--version", "9.9"], 3, /no sha256 for async-profiler-9\.9-linux-x64\.tar\.gz/],
    [["--arch", "amd64", "--prefix", "relative/dir"], 2, /prefix must be an absolute path/],
    [["--bogus"], 2, /unknown argument: --bogus/],
  ])("fails clearly for %j", (extra, status, message) => {
    const run = install(["--tarball", tarball("x64"), "--checksums", goodTable(), ...(extra as string[])]);
    expect(run.status).toBe(status);
    expect(run.stderr).toMatch(message);
  });

  it("refuses a checksum table entry that is a placeholder", () => {
    const run = install([
      "--tarball",
      tarball("x64"),
      "--arch",
      "x64",
      "--checksums",
      table({ [`async-profiler-${version}-linux-x64.tar.gz`]: "UNVERIFIED" }),
    ]);
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(/not 64 hex digits/);
  });

  it("installs files others can read and run but not change, and asprof profiles a real JVM as a non-root user", async () => {
    const machine = process.arch === "arm64" ? "arm64" : "x64";
    const run = install(["--tarball", tarball(machine), "--arch", process.arch, "--checksums", goodTable()]);
    expect(run.status, run.stderr).toBe(0);
    for (const [file, mode] of [
      ["bin/asprof", 0o755],
      ["bin/jfrconv", 0o755],
      ["lib/libasyncProfiler.so", 0o644],
      [".", 0o755],
    ] as const) {
      expect(statSync(path.join(run.prefix, file)).mode & 0o777, file).toBe(mode);
    }

    // Run as `nobody` when the tests run as root; otherwise the current user is already unprivileged.
    const asUser =
      process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : [];
    if (asUser.length > 0) expect(spawnSync("setpriv", ["--version"]).status, "setpriv is needed to drop root").toBe(0);
    const source = path.join(work, "Burn.java");
    writeFileSync(
      source,
      [
        "public class Burn {",
        "  static long burnCpu(long seed) { long x = seed; for (int i = 0; i < 5_000_000; i++) x = x * 6364136223846793005L + 1442695040888963407L; return x; }",
        '  public static void main(String[] a) { long s = 1; System.out.println("ready"); while (true) s ^= burnCpu(s); }',
        "}",
      ].join("\n"),
    );
    const out = path.join(work, "profiles");
    spawnSync("mkdir", ["-p", out]);
    chmodSync(out, 0o777);
    const env = { ...process.env, HOME: work };
    const jvm = spawn(
      asUser[0] ?? "java",
      [
        ...asUser.slice(1),
        ...(asUser.length ? ["java"] : []),
        "-Xmx64m",
        "-XX:+UseSerialGC",
        "-XX:+UnlockDiagnosticVMOptions",
        "-XX:+DebugNonSafepoints",
        source,
      ],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        jvm.stdout!.on("data", (d) => String(d).includes("ready") && resolve());
        jvm.on("exit", (code) => reject(new Error(`the JVM exited early (${code})`)));
      });
      const uid = readFileSync(`/proc/${jvm.pid}/status`, "utf8").match(/^Uid:\s+(\d+)/m)![1];
      expect(uid).not.toBe("0");
      const file = path.join(out, "burn.collapsed");
      const asprof = path.join(run.prefix, "bin/asprof");
      const profile = spawnSync(
        asUser[0] ?? asprof,
        [
          ...asUser.slice(1),
          ...(asUser.length ? [asprof] : []),
          "-d",
          "3",
          "-e",
          "itimer",
          "-f",
          file,
          String(jvm.pid),
        ],
        { encoding: "utf8", env, timeout: 60_000 },
      );
      expect(profile.status, profile.stderr + profile.stdout).toBe(0);
      const stacks = readFileSync(file, "utf8").trim().split("\n");
      const samples = stacks
        .filter((line) => line.includes("Burn.burnCpu"))
        .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
      expect(samples).toBeGreaterThan(10);
      expect(statSync(file).uid).toBe(Number(uid));
    } finally {
      jvm.kill("SIGKILL");
    }
  });
});
