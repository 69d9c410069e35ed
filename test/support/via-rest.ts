// What the --via rest tests share: running profile.mjs as a user does, Flink's own list of profiles, and the
// oracle that reads a 2.x flame graph's shares from its geometry, apart from the reader under test.
import type { LocalFlink } from "../../scripts/demo/local-flink/index.ts";
import { normalizeFrame } from "./profile-shares.ts";
export { profileMjs } from "./profile-mjs.ts";
import { isWaitingFrame } from "../../scripts/lib/collapsed.ts";

export const HOT = "com.example.orders.OrderJsonEncoder";

export type Info = {
  status: string;
  mode: string;
  triggerTime: number;
  finishedTime: number | null;
  duration: number;
  outputFile: string | null;
};
export const profiles = async (flink: Pick<LocalFlink, "restUrl">, tm: string): Promise<Info[]> =>
  (await (await fetch(`${flink.restUrl}/taskmanagers/${tm}/profiler`)).json()).profilingList;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until no profile runs in the TaskManager, so that the next test starts from a quiet JVM. */
export async function quiet(flink: Pick<LocalFlink, "restUrl">, tm: string): Promise<void> {
  for (let i = 0; i < 60 && (await profiles(flink, tm)).some((p) => p.status === "RUNNING"); i++) await sleep(500);
}

/**
 * The oracle, apart from the reader under test: each sample is a position on the flame graph's x axis; the
 * deepest frame over it is where that sample ran (self), and every frame over it was on its stack (total).
 * Geometry only, no tree: frames are read as drawn, f(level, left, width, type, 'title'). As every report of
 * the project does (collapsed.ts), samples of waiting threads (a parked or sleeping leaf) are left out of both.
 */
export function positionalShares(html: string): {
  samples: number;
  waiting: number;
  self: Map<string, number>;
  total: (name: string) => number;
} {
  const frames = [...html.matchAll(/^f\((\d+),(\d+),(\d+),\d+,'((?:[^'\\]|\\.)*)'/gm)].map((m) => ({
    level: Number(m[1]),
    left: Number(m[2]),
    width: Number(m[3]),
    // Names as every report spells them (java/lang/String.length → java.lang.String.length, but I2C/C2I adapters stays).
    name: normalizeFrame(m[4]!.replace(/\\(.)/g, "$1")),
  }));
  const samples = frames.find((f) => f.level === 0)!.width;
  const depth = new Int32Array(samples).fill(0);
  const leaf: string[] = new Array(samples).fill("");
  for (const f of frames) {
    if (f.level === 0) continue;
    for (let x = f.left; x < f.left + f.width; x++) if (f.level > depth[x]!) [depth[x], leaf[x]] = [f.level, f.name];
  }
  const waits = leaf.map((name) => name !== "" && isWaitingFrame(name));
  const self = new Map<string, number>();
  leaf.forEach((name, x) => {
    if (name && !waits[x]) self.set(name, (self.get(name) ?? 0) + 1);
  });
  const total = (name: string) => {
    const covered = new Uint8Array(samples);
    for (const f of frames) if (f.name === name) covered.fill(1, f.left, f.left + f.width);
    return covered.reduce((n, c, x) => n + (c && !waits[x] ? 1 : 0), 0);
  };
  return { samples, waiting: waits.filter(Boolean).length, self, total };
}

export const pct = (n: number, of: number) => Math.round((n / of) * 1000) / 10;
// On two cores shared with other Flink tests, a TaskManager's RPC system can take longer than Flink's default
// 10 s to start; a slow start is not what these tests are about.
export const SLOW_MACHINE = { "pekko.startup-timeout": "60 s" };
