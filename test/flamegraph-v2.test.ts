// The 2.x html reader on flame graphs written here from known stacks, laid out as async-profiler 2.x lays
// them out (a frame's own samples first, then its children left to right). The reader must give the same
// stacks back, and refuse files whose positions do not add up. Real files of Flink's profiler are read in
// test/via-rest.test.ts.
import { describe, expect, it } from "vitest";
import {
  FlameGraphFormatError,
  flameGraphV2Collapsed,
  isFlameGraphV2,
  parseFlameGraphV2,
} from "../scripts/lib/analysis/flamegraph-v2.ts";

type Stack = { frames: string[]; count: number };

const HEAD = `<!DOCTYPE html>
<html lang='en'>
<body>
<h1>CPU profile</h1>
<canvas id='canvas'></canvas>
<script>
	const levels = Array(LEVELS);
	function f(level, left, width, type, title, inln, c1, int) {
		levels[level].push({left: left, width: width, title: title});
	}
`;

/** Writes stacks as async-profiler 2.x does: a tree, depth first, self samples before the children. */
function writeV2(stacks: Stack[], opts: { hide?: string } = {}): string {
  type Node = { self: number; children: Map<string, Node> };
  const root: Node = { self: 0, children: new Map() };
  for (const s of stacks) {
    let n = root;
    for (const f of s.frames) {
      if (!n.children.has(f)) n.children.set(f, { self: 0, children: new Map() });
      n = n.children.get(f)!;
    }
    n.self += s.count;
  }
  const width = (n: Node): number => n.self + [...n.children.values()].reduce((a, c) => a + width(c), 0);
  const lines: string[] = [];
  let depth = 0;
  const emit = (name: string, n: Node, level: number, x: number) => {
    depth = Math.max(depth, level + 1);
    const w = width(n);
    // As --minwidth does: a frame too narrow to draw is left out, and its samples stay a gap in its parent.
    if (name === opts.hide) return;
    lines.push(`f(${level},${x},${w},1,'${name.replaceAll("'", "\\'")}'${level % 2 ? ",3,0,0" : ""})`);
    let at = x + n.self;
    for (const [child, c] of [...n.children].sort(([a], [b]) => a.localeCompare(b))) {
      emit(child, c, level + 1, at);
      at += width(c);
    }
  };
  emit("all", root, 0, 0);
  return `${HEAD.replace("LEVELS", String(depth)) + lines.join("\n")}\n\nsearch();\n</script></body></html>\n`;
}

const STACKS: Stack[] = [
  { frames: ["java/lang/Thread.run", "com/acme/Job.map", "com/acme/Json.escape"], count: 70 },
  { frames: ["java/lang/Thread.run", "com/acme/Job.map"], count: 10 },
  { frames: ["java/lang/Thread.run", "com/acme/Job.map", "com/acme/Json.escape", "com/acme/Json.escape"], count: 5 },
  { frames: ["start_thread", "GangWorker::loop()", "Klass<T>::it's(int)"], count: 3 },
  { frames: ["[unknown_Java]"], count: 2 },
  { frames: ["java/lang/Thread.run", "com/acme/Job.map", "com/acme/Job.filter"], count: 4 },
];

const sorted = (s: Stack[]) => [...s].map((x) => `${x.frames.join(";")} ${x.count}`).sort();

describe("parseFlameGraphV2", () => {
  it("gives back the stacks the file was written from, quotes and recursion included", () => {
    const html = writeV2(STACKS);
    expect(isFlameGraphV2(html)).toBe(true);
    const fg = parseFlameGraphV2(html);
    expect(fg.title).toBe("CPU profile");
    expect(fg.samples).toBe(94);
    expect(fg.hidden).toBe(0);
    expect(sorted(fg.stacks)).toEqual(sorted(STACKS));
    expect(flameGraphV2Collapsed(fg).split("\n").filter(Boolean).sort()).toEqual(sorted(STACKS));
  });

  it("counts the samples of children it cannot see as their caller's own, and says how many after a drawn sibling", () => {
    const fg = parseFlameGraphV2(writeV2(STACKS, { hide: "com/acme/Json.escape" }));
    expect(fg.hidden).toBe(75);
    expect(fg.samples).toBe(94);
    expect(fg.stacks.find((s) => s.frames.join(";") === "java/lang/Thread.run;com/acme/Job.map")?.count).toBe(85);
  });

  it("refuses a child that does not fit in its parent", () => {
    const html = writeV2(STACKS).replace(/^f\(3,(\d+),75,/m, "f(3,$1,750,");
    expect(() => parseFlameGraphV2(html)).toThrow(/does not fit/);
  });

  it("refuses a frame whose level has no parent", () => {
    const html = writeV2(STACKS).replace(/^f\(1,/m, "f(3,");
    expect(() => parseFlameGraphV2(html)).toThrow(FlameGraphFormatError);
  });

  it("refuses 3.0+ html and html of no profiler, and a viewer whose f() takes other arguments", () => {
    expect(() => parseFlameGraphV2("<!DOCTYPE html><script>const cpool = [\n'all'\n];</script>")).toThrow(/3\.0\+/);
    expect(() => parseFlameGraphV2("<!DOCTYPE html><p>hello</p>")).toThrow(/no async-profiler 2\.x frame data/);
    const other = writeV2(STACKS).replace("function f(level, left, width", "function f(key, level, left");
    expect(() => parseFlameGraphV2(other)).toThrow(FlameGraphFormatError);
    expect(isFlameGraphV2("<!DOCTYPE html><p>hello</p>")).toBe(false);
  });

  it("refuses a file with no root frame", () => {
    expect(() => parseFlameGraphV2(HEAD.replace("LEVELS", "1"))).toThrow(/no root frame/);
  });
});
