// Reads a text file line by line without holding it: one buffer, reused for every read, so a 1 GB
// collapsed file costs a megabyte of memory and no garbage. Lines are handed over as byte ranges of
// that buffer, cut at '\n' (never inside a UTF-8 character), so a reader decodes only what it keeps.
// The range is valid during the call only.
import { open } from "node:fs/promises";

const NEWLINE = 10;

export type OnLine = (buf: Buffer, start: number, end: number) => void;

export async function forEachLine(file: string, onLine: OnLine, chunk = 1 << 20): Promise<void> {
  const fh = await open(file, "r");
  try {
    let buf = Buffer.allocUnsafe(chunk);
    // buf[0, kept) is the start of a line the previous read cut.
    let kept = 0;
    for (;;) {
      if (kept === buf.length) {
        // A line longer than the buffer: make room for the rest of it.
        const grown = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(grown, 0, 0, kept);
        buf = grown;
      }
      const { bytesRead } = await fh.read(buf, kept, buf.length - kept, null);
      if (bytesRead === 0) break;
      const filled = kept + bytesRead;
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE, start); nl >= 0 && nl < filled; nl = buf.indexOf(NEWLINE, start)) {
        onLine(buf, start, nl);
        start = nl + 1;
      }
      buf.copyWithin(0, start, filled);
      kept = filled - start;
    }
    if (kept > 0) onLine(buf, 0, kept);
  } finally {
    await fh.close();
  }
}
