// Names a run leaves on the cluster and on disk. Pure.
import path from "node:path";
import type { ProfileFormat } from "../profile-options.ts";

/**
 * `n` random hex digits, to keep names apart (not secrets): Math.random, because node:crypto costs a few ms
 * of every start of profile.mjs.
 */
export function randomHex(n: number): string {
  let out = "";
  for (let i = 0; i < n; i++) out += Math.floor(Math.random() * 16).toString(16);
  return out;
}

/**
 * `20261124-061500-3fa9`: sorts by start time in `kubectl get jobs -L`, and the random tail keeps two
 * people who start a run in the same second apart. A DNS label, so it can be a label value and part
 * of a Job name.
 */
export function newRunId(now: Date = new Date(), random: string = randomHex(4)): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const date = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}`;
  const time = `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${date}-${time}-${random.toLowerCase()}`;
}

/** The helper names its files `<base>.<format>`; we keep the same extensions. */
export function profileFileName(pod: string, format: ProfileFormat | string): string {
  return `${pod}.${format}`;
}

/** `profiles/<cluster>/<run>/<pod>.<ext>`: one folder per run, so runs never overwrite each other. */
export function profilePath(outputDir: string, cluster: string, runId: string, pod: string, format: string): string {
  return path.join(outputDir, cluster, runId, profileFileName(pod, format));
}

/** `profilePath` without its `.<ext>`: where a TaskManager's formats of a run go. */
export function profileBase(outputDir: string, cluster: string, runId: string, pod: string): string {
  return path.join(outputDir, cluster, runId, pod);
}
