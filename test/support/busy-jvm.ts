// A plain JVM that keeps a core busy in a method of its own (Busy.spin), for helper tests that need a real
// JVM to profile but no Flink. Java's source-file mode compiles and runs it; ready() waits until asprof
// can attach (jcmd answers).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface BusyJvm {
  pid: number;
  stop(): void;
}

export async function startBusyJvm(dir: string, timeoutMs = 60_000): Promise<BusyJvm> {
  const src = join(dir, "Busy.java");
  writeFileSync(
    src,
    "public class Busy {\n" +
      "  static long spin(long x) { return x + Long.toString(x).hashCode(); }\n" +
      '  public static void main(String[] a) { System.out.println("ready"); long x = 0; while (true) { x = spin(x); } }\n' +
      "}\n",
  );
  const child: ChildProcess = spawn("java", ["-Xmx64m", src], { stdio: ["ignore", "pipe", "ignore"] });
  const pid = child.pid!;
  let ready = false;
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (ready ||= d.includes("ready")));
  const deadline = Date.now() + timeoutMs;
  while (!ready || spawnSync("jcmd", [String(pid), "VM.uptime"], { stdio: "ignore" }).status !== 0) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the busy JVM did not start (exit ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { pid, stop: () => child.kill("SIGKILL") };
}
