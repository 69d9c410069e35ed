// `node scripts/profile.mjs ARGS` as a user runs it: its exit code and output; `onStderr` sees the progress
// so far and may send the process a signal (a Ctrl-C mid-profile).
import { spawn } from "node:child_process";
import { resolve } from "node:path";

const PROFILE = resolve("scripts/profile.mjs");

export type ProfileMjsResult = { code: number | null; stdout: string; stderr: string };

export function profileMjs(
  args: string[],
  onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void,
): Promise<ProfileMjsResult> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [PROFILE, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      onStderr?.(stderr, (s) => child.kill(s));
    });
    child.on("error", fail);
    child.on("close", (code) => ok({ code, stdout, stderr }));
  });
}
