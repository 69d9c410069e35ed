// Plain JVMs for helper tests that need a real JVM to profile but no Flink: one keeps a core busy in a
// method of its own (Busy.spin), one only sleeps (an idle TaskManager, to a CPU profiler). Java's
// source-file mode compiles and runs them; the start waits until asprof can attach (jcmd answers).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface BusyJvm {
  pid: number;
  stop(): void;
}

export function startBusyJvm(dir: string, timeoutMs = 60_000): Promise<BusyJvm> {
  return startJvm(
    dir,
    "Busy",
    "  static long spin(long x) { return x + Long.toString(x).hashCode(); }\n" +
      '  public static void main(String[] a) { System.out.println("ready"); long x = 0; while (true) { x = spin(x); } }\n',
    [],
    timeoutMs,
  );
}

/** A JVM that sleeps. `launcher` goes before `java` (say, `unshare -m …` to give it a mount namespace). */
export function startIdleJvm(dir: string, launcher: string[] = [], timeoutMs = 60_000): Promise<BusyJvm> {
  return startJvm(
    dir,
    "Idle",
    '  public static void main(String[] a) throws Exception { System.out.println("ready"); Thread.sleep(3_600_000); }\n',
    launcher,
    timeoutMs,
  );
}

async function startJvm(
  dir: string,
  className: string,
  body: string,
  launcher: string[],
  timeoutMs: number,
): Promise<BusyJvm> {
  const src = join(dir, `${className}.java`);
  writeFileSync(src, `public class ${className} {\n${body}}\n`);
  const argv = [...launcher, "java", "-Xmx64m", src];
  const child: ChildProcess = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "ignore"] });
  const pid = child.pid!;
  let ready = false;
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (ready ||= d.includes("ready")));
  const deadline = Date.now() + timeoutMs;
  while (!ready || spawnSync("jcmd", [String(pid), "VM.uptime"], { stdio: "ignore" }).status !== 0) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the ${className} JVM did not start (exit ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { pid, stop: () => child.kill("SIGKILL") };
}
