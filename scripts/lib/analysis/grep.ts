// `report --grep REGEX`: how much of the profile runs through frames matching a pattern, which of
// those frames weigh most, and the heaviest matching stacks. A stack counts once however many of
// its frames match, as in the flame graph's own search ("Matched: x%"). Pure.
import type { TopFrame } from "../collapsed.ts";
import { frameNamer } from "./frame-table.ts";
import { framesOf, percent, type StackCounts } from "./stack-counts.ts";

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

/**
 * A pattern as people type it: case-insensitive unless it has a capital letter ("json" finds
 * OrderJsonEncoder; "Json" matches exactly as the flame graph's search does).
 */
export function grepPattern(pattern: string): RegExp {
  return new RegExp(pattern, /\p{Lu}/u.test(pattern) ? "" : "i");
}

export function grepProfile(counts: StackCounts, pattern: string, limit: number): GrepResult {
  const regex = grepPattern(pattern);
  const name = frameNamer();
  const verdicts = new Map<string, boolean>();
  // Either spelling may be searched for: com/acme/Job.map (async-profiler's, the viewer's) or com.acme.Job.map.
  const matches = (raw: string): boolean => {
    let v = verdicts.get(raw);
    if (v === undefined) {
      v = regex.test(raw) || regex.test(name(raw));
      verdicts.set(raw, v);
    }
    return v;
  };
  let all = 0;
  let matched = 0;
  const frames = new Map<string, { self: number; total: number }>();
  const paths = new Map<string, number>();
  for (const [stack, count] of counts) {
    all += count;
    const raw = framesOf(stack);
    const first = raw.findIndex(matches);
    if (first < 0) continue;
    matched += count;
    const seen = new Set<string>();
    for (let i = first; i < raw.length; i++) {
      if (!matches(raw[i]!)) continue;
      const frame = name(raw[i]!);
      const f = frames.get(frame) ?? { self: 0, total: 0 };
      if (!seen.has(frame)) f.total += count;
      if (i === raw.length - 1) f.self += count;
      seen.add(frame);
      frames.set(frame, f);
    }
    const path = raw.slice(Math.max(0, first - 1)).map(name).join(";");
    paths.set(path, (paths.get(path) ?? 0) + count);
  }
  return {
    pattern,
    samples: matched,
    share: percent(matched, all),
    frames: [...frames]
      .sort(([a, fa], [b, fb]) => fb.total - fa.total || fb.self - fa.self || a.localeCompare(b))
      .slice(0, limit)
      .map(([frame, f]) => ({ frame, self: percent(f.self, all), total: percent(f.total, all) })),
    stacks: [...paths]
      .sort(([a, na], [b, nb]) => nb - na || a.localeCompare(b))
      .slice(0, limit)
      .map(([path, samples]) => ({ share: percent(samples, all), samples, frames: path.split(";") })),
  };
}
