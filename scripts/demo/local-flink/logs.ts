// Reading the processes' logs back, for error messages and for the JobID a job client prints.
import { readFileSync } from "node:fs";

/** The last lines of a log, without stack frames, so "Caused by:" lines survive the cut. */
export function tail(file: string, lines = 30): string {
  try {
    const all = readFileSync(file, "utf8").trimEnd().split("\n");
    return all
      .filter((l) => !/^\s+at |^\s+\.\.\. \d+ more$/.test(l))
      .slice(-lines)
      .join("\n");
  } catch {
    return "(no log)";
  }
}
