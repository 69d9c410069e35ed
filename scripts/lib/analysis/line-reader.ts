// Reads a text file line by line without holding it: a 1 GB collapsed file costs one chunk of memory.
// Lines are cut at '\n' bytes (never inside a UTF-8 character) and decoded one by one, so each line is
// a string of its own: one kept in a Map does not keep the chunk it came from alive.
import { createReadStream } from "node:fs";

const NEWLINE = 10;

export async function forEachLine(file: string, onLine: (line: string) => void): Promise<void> {
  let carry: Buffer | undefined;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE, start); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
      onLine(buf.toString("utf8", start, nl));
      start = nl + 1;
    }
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
  }
  if (carry) onLine(carry.toString("utf8"));
}
