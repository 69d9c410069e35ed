// Reads a text file line by line without holding it: a 1 GB collapsed file costs one chunk of memory.
// Lines are handed over as byte ranges of the chunk, cut at '\n' (never inside a UTF-8 character), so
// that a reader decodes only what it keeps. The range is valid during the call only.
import { createReadStream } from "node:fs";

const NEWLINE = 10;

export type OnLine = (buf: Buffer, start: number, end: number) => void;

export async function forEachLine(file: string, onLine: OnLine): Promise<void> {
  // The start of a line that the previous chunk cut: joined with its end only, never a whole chunk.
  let carry: Buffer | undefined;
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    if (carry) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      const line = Buffer.concat([carry, chunk.subarray(0, nl)]);
      onLine(line, 0, line.length);
      start = nl + 1;
      carry = undefined;
    }
    for (let nl = chunk.indexOf(NEWLINE, start); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      onLine(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
  }
  if (carry) onLine(carry, 0, carry.length);
}
