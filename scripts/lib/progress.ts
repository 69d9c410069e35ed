// Progress for runs that take a minute: one line per target with the time left.
// On a terminal the lines are redrawn in place; in a log (CI, pipes) a line is printed only when
// something changes or every `quietSeconds`, so logs stay short.

export interface TargetProgress {
  /** What the line shows; it may change while the run goes on (a JVM named once the helper saw it). */
  target: string;
  /** Which line this is, when not `target`. */
  key?: string;
  state: "waiting" | "profiling" | "finishing" | "done" | "failed" | "interrupted";
  remaining?: number;
  duration?: number;
  event?: string;
}

export function progressLine(p: TargetProgress): string {
  switch (p.state) {
    case "profiling": {
      const total = p.duration ?? 0;
      const left = Math.max(0, p.remaining ?? total);
      const width = 20;
      const filled = total > 0 ? Math.round(((total - left) / total) * width) : 0;
      const bar = "#".repeat(filled) + ".".repeat(width - filled);
      return `${p.target}  ${p.event ?? ""} [${bar}] ${left}s left`;
    }
    case "finishing":
      return `${p.target}  writing the profile`;
    default:
      return `${p.target}  ${p.state}`;
  }
}

export interface ProgressView {
  update(p: TargetProgress): void;
  /** Leaves the final state on screen; later output starts below it. */
  close(): void;
}

export function createProgressView(stream: NodeJS.WriteStream, quietSeconds = 10): ProgressView {
  const order: string[] = [];
  const lines = new Map<string, string>();
  const lastPrinted = new Map<string, { line: string; at: number; state: string }>();
  let drawn = 0;
  const tty = Boolean(stream.isTTY);

  const redraw = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A`);
    for (const target of order) stream.write(`\x1b[2K${lines.get(target)}\n`);
    drawn = order.length;
  };

  return {
    update(p) {
      const key = p.key ?? p.target;
      if (!lines.has(key)) order.push(key);
      const line = progressLine(p);
      lines.set(key, line);
      if (tty) return redraw();
      const last = lastPrinted.get(key);
      const now = Date.now();
      if (!last || last.state !== p.state || now - last.at >= quietSeconds * 1000) {
        stream.write(`${line}\n`);
        lastPrinted.set(key, { line, at: now, state: p.state });
      }
    },
    close() {
      if (tty && drawn > 0) stream.write("\n");
    },
  };
}
