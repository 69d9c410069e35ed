// A profile as a tree of call paths: each distinct stack of async-profiler's collapsed text is one path
// from a root frame, and its samples sit on the path's last node. Identical stacks (one per TaskManager,
// one per file) add up as they arrive, and a frame's name is kept once, so memory grows with the number
// of distinct call paths, never with the number of lines. async-profiler and jfrconv write stacks depth
// first, so a line shares most of its callers with the line before: only the frames after the shared
// part are looked up. Pure.
import { splitLine, SEMICOLON, type CollapsedSink } from "./collapsed-line.ts";
import { FrameNames } from "./frame-names.ts";

const ROOT = -1;

export class StackTree implements CollapsedSink {
  /** All samples. */
  samples = 0;
  /** Nodes: the frame id, the parent node (-1 for a root frame) and the samples of stacks ending here. */
  size = 0;
  frame = new Int32Array(1024);
  parent = new Int32Array(1024);
  self = new Float64Array(1024);
  private readonly frames = new FrameNames();
  // Children as lists: a node's first child, a node's next sibling (-1: none). Roots hang off `roots`.
  private firstChild = new Int32Array(1024);
  private nextSibling = new Int32Array(1024);
  private roots = ROOT;
  // The previous line's stack, its frame boundaries and its nodes, for the shared prefix.
  private prev = Buffer.alloc(4096);
  private prevLength = 0;
  private readonly prevEnds: number[] = [];
  private readonly prevPath: number[] = [];
  private readonly line = { space: 0, count: 0 };

  /** async-profiler's spelling of each distinct frame, by frame id. */
  get names(): readonly string[] {
    return this.frames.names;
  }

  /**
   * Adds one line of collapsed text ("frame;frame;frame COUNT", count after the last space).
   * Returns false for a line that is not a stack (blank lines included); the caller decides what that means.
   */
  addLine(line: string): boolean {
    const bytes = Buffer.from(line, "utf8");
    return this.addBytes(bytes, 0, bytes.length);
  }

  /** addLine for the UTF-8 bytes buf[start, end), as files are read: only new frame names are decoded. */
  addBytes(buf: Buffer, start: number, end: number): boolean {
    if (!splitLine(buf, start, end, this.line)) return false;
    const { space, count } = this.line;
    const length = space - start;
    const { prev, prevEnds: ends, prevPath: path } = this;
    const common = Math.min(this.prevLength, length);
    let same = 0;
    while (same < common && prev[same] === buf[start + same]) same++;
    // A frame of the previous stack is shared when everything up to its end matches and the new stack
    // has a frame boundary there too. Frame ends are offsets from the start of the stack.
    let shared = 0;
    while (shared < ends.length) {
      const e = ends[shared]!;
      if (e < same || (e === same && e === this.prevLength && (e === length || buf[start + e] === SEMICOLON))) shared++;
      else break;
    }
    ends.length = shared;
    path.length = shared;
    let node = shared > 0 ? path[shared - 1]! : ROOT;
    for (let from = shared > 0 ? ends[shared - 1]! + 1 : 0; from <= length; ) {
      let stop = buf.indexOf(SEMICOLON, start + from) - start;
      if (stop < 0 || stop > length) stop = length;
      node = this.child(node, this.frames.idOf(buf, start + from, start + stop));
      ends.push(stop);
      path.push(node);
      from = stop + 1;
    }
    if (this.prev.length < length) this.prev = Buffer.alloc(Math.max(length, this.prev.length * 2));
    buf.copy(this.prev, 0, start, space);
    this.prevLength = length;
    this.self[node]! += count;
    this.samples += count;
    return true;
  }

  /** Adds a stack given as raw frames, root first. */
  addStack(frames: readonly string[], count: number): void {
    let node = ROOT;
    for (const f of frames) node = this.child(node, this.frames.id(f));
    this.addSamples(node, count);
  }

  /** Adds every stack of another tree. */
  addTree(other: StackTree): this {
    const map = new Int32Array(other.size);
    for (let n = 0; n < other.size; n++) {
      const p = other.parent[n]!;
      map[n] = this.child(p === ROOT ? ROOT : map[p]!, this.frames.id(other.names[other.frame[n]!]!));
      if (other.self[n]! > 0) this.addSamples(map[n]!, other.self[n]!);
    }
    return this;
  }

  /** Nodes where stacks end (with samples), in the order they were first seen. */
  *stackEnds(): Generator<number> {
    for (let n = 0; n < this.size; n++) if (this.self[n]! > 0) yield n;
  }

  /** Frame ids from the root down to this node. */
  path(node: number): number[] {
    const ids: number[] = [];
    for (let n = node; n !== ROOT; n = this.parent[n]!) ids.push(this.frame[n]!);
    return ids.reverse();
  }

  /** The root node above this one (the thread frame in a profile taken with -t). */
  rootOf(node: number): number {
    let n = node;
    while (this.parent[n]! !== ROOT) n = this.parent[n]!;
    return n;
  }

  /** Collapsed text again, one line per distinct stack. */
  *collapsedLines(): Generator<string> {
    for (const n of this.stackEnds())
      yield `${this.path(n)
        .map((id) => this.names[id])
        .join(";")} ${this.self[n]}\n`;
  }

  private addSamples(node: number, count: number): void {
    this.self[node]! += count;
    this.samples += count;
    // The next line must not share a prefix with a stack it did not follow.
    this.prevLength = 0;
    this.prevEnds.length = 0;
    this.prevPath.length = 0;
  }

  /** The child of `parent` for this frame, made when missing. A new node has no children to search. */
  private child(parent: number, frame: number): number {
    let n = parent === ROOT ? this.roots : this.firstChild[parent]!;
    for (; n !== ROOT; n = this.nextSibling[n]!) if (this.frame[n] === frame) return n;
    n = this.size++;
    if (n === this.frame.length) this.grow();
    this.frame[n] = frame;
    this.parent[n] = parent;
    this.firstChild[n] = ROOT;
    if (parent === ROOT) {
      this.nextSibling[n] = this.roots;
      this.roots = n;
    } else {
      this.nextSibling[n] = this.firstChild[parent]!;
      this.firstChild[parent] = n;
    }
    return n;
  }

  private grow(): void {
    const n = this.frame.length * 2;
    const resize = <T extends Int32Array | Float64Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.frame = resize(this.frame, new Int32Array(n));
    this.parent = resize(this.parent, new Int32Array(n));
    this.self = resize(this.self, new Float64Array(n));
    this.firstChild = resize(this.firstChild, new Int32Array(n));
    this.nextSibling = resize(this.nextSibling, new Int32Array(n));
  }
}

/** The stacks of collapsed text already in memory (a file that came back from a TaskManager). */
export function treeOf(bytes: Buffer): StackTree {
  const tree = new StackTree();
  let start = 0;
  for (let nl = bytes.indexOf(10); start < bytes.length; nl = bytes.indexOf(10, start)) {
    const end = nl < 0 ? bytes.length : nl;
    tree.addBytes(bytes, start, end);
    start = end + 1;
  }
  return tree;
}

/** % of `of`, one decimal: the unit of every share in the reports. */
export function percent(n: number, of: number): number {
  return of === 0 ? 0 : Math.round((n / of) * 1000) / 10;
}
