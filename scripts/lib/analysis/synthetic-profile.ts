// A large collapsed profile with a known shape, for the benchmark: a given number of distinct stacks,
// deep and Java-like, written depth first as async-profiler and jfrconv write them (a line shares its
// callers with the line before), about a given size in bytes; a quarter ends in waiting frames and
// 40 % runs through a JSON encoder. Deterministic for a seed. Pure.

export interface SyntheticOptions {
  stacks: number;
  bytes: number;
  /** Changes the counts, not the stacks: two seeds make a "before" and an "after". */
  seed?: number;
}

/** A small seedable PRNG (mulberry32): the same seed gives the same profile on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROOT = [
  "[Source: Orders -> Encode JSON -> Discard: Writer (1/2)#0 tid=4242]",
  "java/lang/Thread.run",
  "org/apache/flink/runtime/taskmanager/Task.run",
  "org/apache/flink/runtime/taskmanager/Task.doRun",
  "org/apache/flink/streaming/runtime/tasks/StreamTask.invoke",
  "org/apache/flink/streaming/runtime/tasks/mailbox/MailboxProcessor.runMailboxLoop",
];
const PACKAGES = [
  "com/example/orders",
  "org/apache/flink/streaming/api/operators",
  "com/fasterxml/jackson/core/json",
  "java/util/concurrent",
  "org/apache/flink/runtime/io/network",
];
const BRANCHES: [string, string, number][] = [
  ["com/example/orders/EncodeOrder.map", "com/example/orders/OrderJsonEncoder.escape", 0.4],
  ["org/apache/flink/streaming/api/operators/StreamSourceContexts.collect", "java/util/HashMap.resize", 0.35],
  ["org/apache/flink/runtime/io/network/api/writer/RecordWriter.emit", "jdk/internal/misc/Unsafe.park", 0.25],
];

export function* syntheticCollapsed(opts: SyntheticOptions): Generator<string> {
  const shape = random(42);
  const counts = random(opts.seed ?? 1);
  // What is left to write, spread over the stacks left: the file ends up the size asked for.
  let bytesLeft = opts.bytes;
  let stacksLeft = opts.stacks;
  const frame = (tag: string) =>
    `${PACKAGES[Math.floor(shape() * PACKAGES.length)]}/Stage${Math.floor(shape() * 60)}Handler.process${tag}`;
  const length = (frames: readonly string[]) => frames.reduce((n, f) => n + f.length + 1, 6);

  function* tree(prefix: string[], n: number, leaf: string): Generator<string> {
    if (n === 1) {
      const frames = [...prefix];
      const target = (bytesLeft / stacksLeft) * (0.5 + shape()) - leaf.length;
      for (let size = length(frames); size < target; size += frames[frames.length - 1]!.length + 1)
        frames.push(frame(String(Math.floor(shape() * 40))));
      const line = `${[...frames, leaf].join(";")} ${1 + Math.floor(counts() * counts() * 200)}\n`;
      bytesLeft -= line.length;
      stacksLeft--;
      yield line;
      return;
    }
    // A few calls all these stacks share, then two to four callees that split them.
    const shared = [...prefix, frame(String(Math.floor(shape() * 40)))];
    const k = Math.min(n, 2 + Math.floor(shape() * 3));
    let left = n;
    for (let j = 0; j < k; j++) {
      const part =
        j === k - 1 ? left : Math.max(1, Math.min(left - (k - 1 - j), Math.round((n / k) * (0.5 + shape()))));
      left -= part;
      // The callee's name carries its branch number: every stack is distinct by construction.
      yield* tree([...shared, frame(`${j}x${shared.length}`)], part, leaf);
    }
  }

  let left = opts.stacks;
  for (const [i, [caller, leaf, share]] of BRANCHES.entries()) {
    const n = i === BRANCHES.length - 1 ? left : Math.round(opts.stacks * share);
    left -= n;
    yield* tree([...ROOT, caller], n, leaf);
  }
}
