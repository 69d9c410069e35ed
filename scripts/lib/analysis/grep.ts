// `report --grep REGEX`: how much of the profile runs through frames matching a pattern, which of
// those frames weigh most, and the heaviest matching stacks. A stack counts once however many of
// its frames match, as in the flame graph's own search ("Matched: x%"); unlike it, thread frames are
// not searched. Pure.
import type { TopFrame } from "../collapsed.ts";
import { readableIds } from "./frame-table.ts";
import { percent, type StackTree } from "./stack-tree.ts";
import { threadName } from "./threads.ts";
import { grepPattern } from "./grep-pattern.ts";

export interface MatchedStack {
  /** % of all samples. */
  share: number;
  samples: number;
  /** Readable frames from the caller of the outermost match down to the leaf. */
  frames: string[];
}

export interface GrepResult {
  pattern: string;
  /** Samples whose stack has a matching frame. */
  samples: number;
  /** The same, in % of all samples. */
  share: number;
  /** Matching frames by total samples (self beside it), in % of all samples. */
  frames: TopFrame[];
  stacks: MatchedStack[];
}

export function grepProfile(tree: StackTree, pattern: string, limit: number): GrepResult {
  const regex = grepPattern(pattern);
  const { names, idOf } = readableIds(tree);
  // Either spelling may be searched for: com/acme/Job.map (async-profiler's, the viewer's) or com.acme.Job.map.
  // Thread frames name threads, not code ("Encode JSON (1/2)#0" would match "json"): --threads is for them.
  const hit = tree.names.map(
    (raw, i) => threadName(raw) === undefined && (regex.test(raw) || regex.test(names[idOf[i]!]!)),
  );
  const self = new Float64Array(names.length);
  const total = new Float64Array(names.length);
  const seen = new Int32Array(names.length).fill(-1);
  const paths = new Map<string, number>();
  let matched = 0;
  for (const end of tree.stackEnds()) {
    const count = tree.self[end]!;
    let outermost = -1;
    for (let n = end; n !== -1; n = tree.parent[n]!) {
      if (!hit[tree.frame[n]!]) continue;
      outermost = n;
      const f = idOf[tree.frame[n]!]!;
      if (seen[f] !== end) {
        seen[f] = end;
        total[f]! += count;
      }
      if (n === end) self[f]! += count;
    }
    if (outermost < 0) continue;
    matched += count;
    const from = tree.parent[outermost]! === -1 ? outermost : tree.parent[outermost]!;
    const path: string[] = [];
    for (let n = end; ; n = tree.parent[n]!) {
      path.push(names[idOf[tree.frame[n]!]!]!);
      if (n === from) break;
    }
    const key = path.reverse().join(";");
    paths.set(key, (paths.get(key) ?? 0) + count);
  }
  const all = tree.samples;
  return {
    pattern,
    samples: matched,
    share: percent(matched, all),
    frames: names
      .map((frame, i) => ({ frame, self: self[i]!, total: total[i]! }))
      .filter((f) => f.total > 0)
      .sort((a, b) => b.total - a.total || b.self - a.self || (a.frame < b.frame ? -1 : 1))
      .slice(0, limit)
      .map((f) => ({ frame: f.frame, self: percent(f.self, all), total: percent(f.total, all) })),
    stacks: [...paths]
      .sort(([a, na], [b, nb]) => nb - na || (a < b ? -1 : 1))
      .slice(0, limit)
      .map(([path, samples]) => ({ share: percent(samples, all), samples, frames: path.split(";") })),
  };
}
