// Splits a byte stream into lines while counting what came, so a reader can stop at a limit before it
// holds more: the count is of raw bytes as they arrive, so a line that never ends is bounded too.
import { StringDecoder } from "node:string_decoder";

/** Bytes a reader may still take; several streams of one source (stdout and stderr) can share one. */
export class ByteBudget {
  readonly limit: number;
  private used = 0;
  constructor(limit: number) {
    this.limit = limit;
  }
  /** Counts `n` more bytes; false once the total is over the limit. */
  take(n: number): boolean {
    this.used += n;
    return this.used <= this.limit;
  }
  get exceeded(): boolean {
    return this.used > this.limit;
  }
}

export interface LineSplitter {
  /** False once the budget is spent: nothing of this chunk or any later one is passed on. */
  push(chunk: Buffer): boolean;
  /** The stream ended: its last line, if it had no newline. */
  end(): void;
}

export function splitLines(budget: ByteBudget, onLine: (line: string) => void): LineSplitter {
  const decoder = new StringDecoder("utf8");
  // The unfinished line in pieces: only new text is searched for a newline, and a long line is joined
  // once, when it ends (a growing string searched on every chunk would be flattened again and again).
  let pieces: string[] = [];
  const emit = (last: string) => {
    pieces.push(last);
    const line = pieces.join("");
    pieces = [];
    onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  };
  return {
    push(chunk) {
      if (!budget.take(chunk.length)) {
        pieces = [];
        return false;
      }
      const text = decoder.write(chunk);
      let start = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
        emit(text.slice(start, nl));
        start = nl + 1;
      }
      if (start < text.length) pieces.push(text.slice(start));
      return true;
    },
    end() {
      if (budget.exceeded) return;
      const rest = decoder.end();
      if (rest) pieces.push(rest);
      if (pieces.length > 0) emit("");
    },
  };
}
