// Self samples per frame straight from collapsed lines, without building the tree of call paths: all that
// `diff` needs of a single profile (regressions are self samples), at a fraction of the reading's cost.
// Only the last frame of each line is looked at. Pure.
import { splitLine, SEMICOLON, type CollapsedSink } from "./collapsed-line.ts";
import { FrameNames } from "./frame-names.ts";
import { readableNames, waitingLeaves, type FrameTable } from "./frame-table.ts";

export class LeafCounts implements CollapsedSink {
  private readonly frames = new FrameNames();
  private self = new Float64Array(1024);
  private samples = 0;
  private readonly line = { space: 0, count: 0 };

  addBytes(buf: Buffer, start: number, end: number): boolean {
    if (!splitLine(buf, start, end, this.line)) return false;
    const { space, count } = this.line;
    const semi = buf.lastIndexOf(SEMICOLON, space - 1);
    const leaf = this.frames.idOf(buf, semi < start ? start : semi + 1, space);
    if (leaf === this.self.length) {
      const grown = new Float64Array(leaf * 2);
      grown.set(this.self);
      this.self = grown;
    }
    this.self[leaf]! += count;
    this.samples += count;
    return true;
  }

  /** The same table as frameTable(tree, false) gives for these lines: self samples, no totals. */
  table(): FrameTable {
    const { names, idOf } = readableNames(this.frames.names);
    const waits = waitingLeaves(names);
    const self = new Float64Array(names.length);
    let waiting = 0;
    this.frames.names.forEach((_, raw) => {
      const id = idOf[raw]!;
      if (waits(id)) waiting += this.self[raw]!;
      else self[id]! += this.self[raw]!;
    });
    return { samples: this.samples, waiting, names, self, total: new Float64Array(names.length) };
  }
}
