// Reading /proc: whether a process still runs, and which pid a TaskManager's JVM has when a launcher
// (a seccomp wrapper, `unshare --fork`, another user's shell) runs in front of it.
import { readFileSync, readdirSync } from "node:fs";

/** True while the pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The JVM under a launcher is found by its unique command line, not by process ancestry. */
export function findJavaPidByCmdline(markers: string[]): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
    } catch {
      continue;
    }
    const args = cmdline.split("\0");
    // argv[0] must be java itself: a launcher's command line carries the same markers.
    if (/(^|\/)java$/.test(args[0]) && markers.every((m) => args.includes(m))) return Number(entry);
  }
  return undefined;
}
