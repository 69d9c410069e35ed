// A profile as async-profiler's collapsed text spells it: each distinct stack once, with its samples.
// Identical stacks (the same code path on many TaskManagers, or in many files) are summed as they
// arrive, so memory grows with the number of distinct stacks, never with the number of lines. Pure.

/** Raw collapsed stack ("root;…;leaf", exactly as in the file) → samples. */
export type StackCounts = Map<string, number>;

/**
 * Adds one line of collapsed text ("frame;frame;frame COUNT", count after the last space).
 * Returns false for a line that is not a stack (blank lines included); the caller decides what that means.
 */
export function addCollapsedLine(counts: StackCounts, line: string): boolean {
  let end = line.length;
  while (end > 0 && line.charCodeAt(end - 1) <= 32) end--;
  const space = line.lastIndexOf(" ", end - 1);
  if (space <= 0) return false;
  const count = Number(line.slice(space + 1, end));
  if (!Number.isSafeInteger(count) || count <= 0) return false;
  const stack = line.slice(0, space);
  counts.set(stack, (counts.get(stack) ?? 0) + count);
  return true;
}

/** Adds every stack of `from` to `into`. */
export function addCounts(into: StackCounts, from: StackCounts): StackCounts {
  for (const [stack, count] of from) into.set(stack, (into.get(stack) ?? 0) + count);
  return into;
}

export function totalSamples(counts: StackCounts): number {
  let samples = 0;
  for (const count of counts.values()) samples += count;
  return samples;
}

/** Collapsed text again, one line per distinct stack, in the order the stacks were first seen. */
export function* collapsedLines(counts: StackCounts): Generator<string> {
  for (const [stack, count] of counts) yield `${stack} ${count}\n`;
}

/** The frames of a raw stack, root first. */
export const framesOf = (stack: string): string[] => stack.split(";");

/** The leaf of a raw stack without splitting all of it. */
export const leafOf = (stack: string): string => stack.slice(stack.lastIndexOf(";") + 1);

/** % of `of`, one decimal: the unit of every share in the reports. */
export function percent(n: number, of: number): number {
  return of === 0 ? 0 : Math.round((n / of) * 1000) / 10;
}
