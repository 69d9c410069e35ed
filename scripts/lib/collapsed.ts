// Reads async-profiler's collapsed output ("frame;frame;frame COUNT" per line, root first) and
// ranks the hottest frames. Pure: text in, numbers out.

export interface TopFrame {
  /** Readable name: `com.acme.Job.map`, not `com/acme/Job.map_[j]`. */
  frame: string;
  /** % of all samples with this frame on top of the stack. */
  self: number;
  /** % of all samples with this frame anywhere in the stack (counted once per stack). */
  total: number;
}

export interface CollapsedProfile {
  samples: number;
  stacks: { frames: string[]; count: number }[];
}

export function parseCollapsed(text: string): CollapsedProfile {
  const stacks: CollapsedProfile["stacks"] = [];
  let samples = 0;
  // A profile repeats the same frames on many lines: each is made readable once (and the same string
  // is shared by every stack that has it).
  const readable = new Map<string, string>();
  const named = (frame: string) => {
    let name = readable.get(frame);
    if (name === undefined) {
      name = readableFrame(frame);
      readable.set(frame, name);
    }
    return name;
  };
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    const space = line.lastIndexOf(" ");
    if (space <= 0) continue;
    const count = Number(line.slice(space + 1));
    if (!Number.isSafeInteger(count) || count <= 0) continue;
    stacks.push({ frames: line.slice(0, space).split(";").map(named), count });
    samples += count;
  }
  return { samples, stacks };
}

/** Turns JVM-internal spelling into what a Java developer searches for. */
export function readableFrame(frame: string): string {
  // async-profiler marks frame kinds with suffixes: _[j] JIT, _[i] inlined, _[k] kernel, _[0] interpreted, _[1] C1.
  const bare = frame.replace(/_\[[a-z0-9]\]$/, "");
  // Only Java frames use '/' as package separator; native symbols and [thread names] stay as they are.
  if (bare.startsWith("[") || !/^[\w$]+(\/[\w$]+)+\.[\w$<>]+/.test(bare)) return bare;
  return bare.replaceAll("/", ".");
}

// Where a thread sits when it has nothing to do. In a wall-clock profile of a TaskManager these leaves hold
// >90% of the samples (dozens of idle pool threads), which would bury the one busy task thread.
const WAITING_NATIVE =
  /^(futex|epoll_p?wait|poll|ppoll|select|pselect|accept|nanosleep|clock_nanosleep|sigtimedwait|sigwaitinfo|pthread_cond_(timed|clock)?wait)/;
const WAITING_JAVA = /(Unsafe\.park|Object\.wait0?|Thread\.sleep0?|Thread\.yield0?)$/;

export function isWaitingFrame(frame: string): boolean {
  const native = frame.replace(/^(_+(GI_+)?)?(libc_)?/, "");
  return WAITING_NATIVE.test(native) || WAITING_JAVA.test(frame);
}

/** % of all samples whose thread was waiting (parked, sleeping, polling), one decimal. */
export function waitingShare(profile: CollapsedProfile): number {
  if (profile.samples === 0) return 0;
  let waiting = 0;
  for (const { frames, count } of profile.stacks) {
    if (isWaitingFrame(frames[frames.length - 1] ?? "")) waiting += count;
  }
  return Math.round((waiting / profile.samples) * 1000) / 10;
}

/**
 * Frames of running code ranked by self time, then total time; percentages of all samples, one decimal.
 * Stacks that end in a waiting frame are left out of the ranking (see waitingShare).
 */
export function topFrames(profile: CollapsedProfile, limit = 10): TopFrame[] {
  if (profile.samples === 0) return [];
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const { frames, count } of profile.stacks) {
    if (isWaitingFrame(frames[frames.length - 1] ?? "")) continue;
    const leaf = frames[frames.length - 1];
    if (leaf !== undefined) self.set(leaf, (self.get(leaf) ?? 0) + count);
    // Recursion puts a frame on a stack more than once; it still ran for `count` samples only.
    for (const frame of new Set(frames)) total.set(frame, (total.get(frame) ?? 0) + count);
  }
  const pct = (n: number) => Math.round((n / profile.samples) * 1000) / 10;
  return [...total.keys()]
    .map((frame) => ({ frame, selfCount: self.get(frame) ?? 0, totalCount: total.get(frame) ?? 0 }))
    .filter((f) => f.selfCount > 0)
    .sort((a, b) => b.selfCount - a.selfCount || b.totalCount - a.totalCount || a.frame.localeCompare(b.frame))
    .slice(0, limit)
    .map((f) => ({ frame: f.frame, self: pct(f.selfCount), total: pct(f.totalCount) }));
}

/** What a report shows of a collapsed profile: the hottest running frames and the share of waiting threads. */
export function summarizeCollapsed(text: string, limit = 10): { top: TopFrame[]; waiting: number } {
  const profile = parseCollapsed(text);
  return { top: topFrames(profile, limit), waiting: waitingShare(profile) };
}
