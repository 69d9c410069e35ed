// Reads back the stacks of an async-profiler 2.x html flame graph: the format Flink's built-in profiler
// (FLIP-375) writes, because Flink carries async-profiler 2.9. async-profiler's own converter (jfrconv, 4.x)
// reads only the 3.0+ html (a `cpool` of frame names) and fails on this one with a NullPointerException.
//
// What the 2.x file holds (learned from real files Flink 2.3 wrote): after the viewer's script, one call
// per frame, depth first (a frame, then its children, left to right):
//
//   f(level, left, width, type, 'title'[, inln, c1, int])
//
// level is the depth (0 for the root 'all'), left the frame's first sample, width its samples, type a
// palette index (interpreted, JIT, inlined, native, C++, kernel, C1), title the name with ' written as \'.
// The optional numbers say how many of its samples ran inlined, C1-compiled or interpreted. A frame's own
// (self) samples come first, before its children's, and its children end where it ends; so a frame's self
// samples are its width less its children's widths.
//
// Positions are checked, not trusted: a child must lie inside its parent, after its previous sibling. A file
// that breaks that, or whose `function f(` does not take (level, left, width, type, title) first, is refused
// rather than read wrongly. Pure: text in, stacks out.

export interface FlameGraphV2 {
  /** The <h1>, e.g. "CPU profile" (async-profiler 2.x writes that for cpu, itimer and wall alike). */
  title: string;
  /** The root frame's width: every sample of the profile. */
  samples: number;
  /** Frames drawn, root included. */
  frames: number;
  /** Distinct stacks, root first without the synthetic root 'all', with their own samples. */
  stacks: { frames: string[]; count: number }[];
  /**
   * Samples of children left out of the drawing (async-profiler's --minwidth leaves gaps among a frame's
   * children): counted as their parent's own samples here, as the viewer shows them. Only gaps after a drawn
   * child can be told from the parent's own samples (which come first), so this is a lower bound. Flink sets
   * no minwidth: 0 in its files.
   */
  hidden: number;
}

/** Why a file is not a readable 2.x flame graph, in words a person can act on. */
export class FlameGraphFormatError extends Error {}

/** True for the 2.x html: a flame graph with f(level, left, width, …) calls and no 3.0+ frame pool. */
export function isFlameGraphV2(html: string): boolean {
  return /<canvas id='canvas'/.test(html) && !/const cpool = \[/.test(html) && /^f\(0,0,\d+,\d+,'all'/m.test(html);
}

const FRAME_CALL = /^f\((\d+),(\d+),(\d+),(\d+),'((?:[^'\\\n]|\\.)*)'((?:,\d+)*)\)$/;
const SIGNATURE = /function f\(\s*level\s*,\s*left\s*,\s*width\s*,\s*type\s*,\s*title\b/;

interface Open {
  title: string;
  left: number;
  width: number;
  /** Where the next child may start: after the self samples, then after each child. */
  next: number;
  childWidths: number;
  children: number;
  gaps: number;
}

export function parseFlameGraphV2(html: string): FlameGraphV2 {
  if (/const cpool = \[/.test(html)) {
    throw new FlameGraphFormatError(
      "this is an async-profiler 3.0+ flame graph (it has a frame pool), not a 2.x one: read it with `profile.mjs report`",
    );
  }
  if (!SIGNATURE.test(html)) {
    throw new FlameGraphFormatError(
      "no async-profiler 2.x frame data: its viewer has no function f(level, left, width, type, title)",
    );
  }
  const title = /<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? "";
  const levelsDeclared = Number(/const levels = Array\((\d+)\);/.exec(html)?.[1] ?? Infinity);

  const stacks: FlameGraphV2["stacks"] = [];
  const open: Open[] = [];
  let frames = 0;
  let samples = -1;
  let hidden = 0;
  const lines = html.split("\n");

  // The frame of `open` at this depth (its stack path is open[1..]) ends here: its self samples are known.
  const close = (depth: number) => {
    while (open.length > depth) {
      const f = open.pop()!;
      const self = f.width - f.childWidths;
      // Drawn children start after the self samples and touch each other up to the frame's end.
      if (f.children > 0) hidden += f.gaps + (f.left + f.width - f.next);
      if (self > 0 && open.length > 0)
        stacks.push({ frames: [...open.slice(1).map((o) => o.title), f.title], count: self });
    }
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line.startsWith("f(")) continue;
    const m = FRAME_CALL.exec(line);
    const where = `line ${i + 1}`;
    if (!m)
      throw new FlameGraphFormatError(
        `${where} is not a frame call f(level,left,width,type,'title'): ${line.slice(0, 80)}`,
      );
    const [level, left, width] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const name = unescapeTitle(m[5]!);
    if (![level, left, width].every(Number.isSafeInteger))
      throw new FlameGraphFormatError(`${where}: a number is out of range`);
    if (level === 0) {
      if (samples >= 0) throw new FlameGraphFormatError(`${where}: a second root frame`);
      if (left !== 0 || name !== "all") throw new FlameGraphFormatError(`${where}: the root frame is not 'all' at 0`);
      samples = width;
      open.push({ title: name, left, width, next: 0, childWidths: 0, children: 0, gaps: 0 });
      frames++;
      continue;
    }
    if (samples < 0) throw new FlameGraphFormatError(`${where}: a frame before the root frame`);
    if (level >= levelsDeclared)
      throw new FlameGraphFormatError(`${where}: level ${level} beyond the ${levelsDeclared} levels the file declares`);
    if (level > open.length)
      throw new FlameGraphFormatError(`${where}: level ${level} has no parent at level ${level - 1}`);
    close(level);
    const parent = open[level - 1]!;
    if (width <= 0) throw new FlameGraphFormatError(`${where}: a frame of no samples`);
    // The first child starts after the parent's own samples, which are unknown until its children are read;
    // so a child may start anywhere at or after the previous sibling, and must end inside the parent.
    if (left < parent.next || left + width > parent.left + parent.width) {
      throw new FlameGraphFormatError(
        `${where}: '${name}' [${left}, ${left + width}) does not fit in '${parent.title}' [${parent.left}, ${parent.left + parent.width}) after its previous frame`,
      );
    }
    if (parent.children > 0) parent.gaps += left - parent.next;
    parent.children++;
    parent.next = left + width;
    parent.childWidths += width;
    open.push({ title: name, left, width, next: left, childWidths: 0, children: 0, gaps: 0 });
    frames++;
  }
  if (samples < 0) throw new FlameGraphFormatError("no frames: the file has no root frame f(0,0,N,…,'all')");
  const rootSelf = open[0]!.width - open[0]!.childWidths;
  close(0);
  // The root's own samples belong to no stack; async-profiler draws none there. Keep the totals honest.
  if (rootSelf > 0) stacks.push({ frames: ["[no frames]"], count: rootSelf });
  return { title, samples, frames, stacks, hidden };
}

/** The title between single quotes: async-profiler writes ' as \'; any other escaped character stands for itself. */
function unescapeTitle(s: string): string {
  return s.includes("\\") ? s.replace(/\\(.)/g, "$1") : s;
}

/** Collapsed text ("frame;frame COUNT" per line) of a parsed 2.x flame graph, for the project's readers. */
export function flameGraphV2Collapsed(fg: FlameGraphV2): string {
  return fg.stacks.map((s) => `${s.frames.join(";")} ${s.count}\n`).join("");
}
