// One line of async-profiler's collapsed text, as bytes: "frame;frame;frame COUNT", the count after the
// last space. Pure.

export const SEMICOLON = 59;
const SPACE = 32;

/** What a reader of collapsed lines takes: false for a line that is not a stack. */
export interface CollapsedSink {
  addBytes(buf: Buffer, start: number, end: number): boolean;
}

/**
 * The stack's end (the separating space) and the count of the line buf[start, end), written into `out`;
 * false when the line is not a stack (blank, no count, a count of 0 or not a whole number).
 */
export function splitLine(buf: Buffer, start: number, end: number, out: { space: number; count: number }): boolean {
  while (end > start && buf[end - 1]! <= SPACE) end--;
  if (end === start) return false;
  const space = buf.lastIndexOf(SPACE, end - 1);
  if (space <= start) return false;
  let count = 0;
  for (let i = space + 1; i < end; i++) {
    const digit = buf[i]! - 48;
    if (digit < 0 || digit > 9) return false;
    count = count * 10 + digit;
  }
  if (count === 0 || !Number.isSafeInteger(count)) return false;
  out.space = space;
  out.count = count;
  return true;
}
