// What the benchmark scripts share: a process's wall time, medians and spreads, a process's CPU time.
import { readFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";

/** Wall seconds of one run of `command`; a failure is an error quoting its stderr. */
export async function timed(command: string, args: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  const run = await execa(command, args, { stdin: "ignore", stdout: "ignore", reject: false });
  if (run.failed)
    throw new Error(
      `${path.basename(command)} exited ${run.exitCode ?? run.signal}: ${String(run.stderr || run.shortMessage).slice(-500)}`,
    );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Half the range, as a share of the median: how far apart rounds of the same case land. */
export function spread(xs: readonly number[]): number {
  return (Math.max(...xs) - Math.min(...xs)) / 2 / median(xs);
}

/** utime + stime of a process in clock ticks, from /proc/PID/stat (fields 14 and 15). Pure on the text. */
export function cpuTicksOf(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU seconds a process has used so far (all its threads). */
export function cpuSeconds(pid: number, ticksPerSecond: number): number {
  return cpuTicksOf(readFileSync(`/proc/${pid}/stat`, "utf8")) / ticksPerSecond;
}

export async function clockTicksPerSecond(): Promise<number> {
  const { stdout } = await execa("getconf", ["CLK_TCK"]);
  return Number(stdout.trim());
}
