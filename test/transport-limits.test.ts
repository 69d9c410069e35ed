// Limits of the transport decoder: a log that declares or carries more than a file may be (a forged log,
// a gzip bomb) is refused without the decoder allocating it. The records are written here by hand, as
// the helper's contract describes them (images/flink-profiling/README.md), not by the helper's encoder.
import { createHash } from "node:crypto";
import { constants, createGzip, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { HELPER_LIMITS } from "../components/helper-contract.ts";
import { EVENT_MARGIN_BYTES, execOutputLimit, jobLogLimit } from "../scripts/lib/cluster/log-limits.ts";
import { decodeRecords, maxEncodedLength } from "../scripts/lib/transport.ts";

const MIB = 1024 * 1024;

/** Records of one file: its file record, base64 chunks of `chunkLength`, its end record. */
function records(
  id: string,
  name: string,
  size: number,
  sha256: string,
  gz: Buffer,
  chunkLength = 64 * 1024,
): string[] {
  const data = gz.toString("base64");
  const chunks: string[] = [];
  for (let i = 0; i < data.length; i += chunkLength) chunks.push(data.slice(i, i + chunkLength));
  return [
    JSON.stringify({
      type: "file",
      id,
      name,
      format: "collapsed",
      encoding: "gzip+base64",
      size,
      sha256,
      chunks: chunks.length,
    }),
    ...chunks.map((c, seq) => JSON.stringify({ type: "chunk", id, seq, data: c })),
    JSON.stringify({ type: "end", id, chunks: chunks.length }),
  ];
}

/** gzip of `mib` MiB of zeros, streamed, so the test itself never holds the decompressed bytes. */
async function zerosBomb(mib: number): Promise<{ gz: Buffer; sha256: string }> {
  const gzip = createGzip({ level: constants.Z_BEST_COMPRESSION });
  const parts: Buffer[] = [];
  gzip.on("data", (d: Buffer) => parts.push(d));
  const done = new Promise((ok) => gzip.on("end", ok));
  const zeros = Buffer.alloc(MIB);
  const hash = createHash("sha256");
  for (let i = 0; i < mib; i++) {
    hash.update(zeros);
    if (!gzip.write(zeros)) await new Promise((ok) => gzip.once("drain", ok));
  }
  gzip.end();
  await done;
  return { gz: Buffer.concat(parts), sha256: hash.digest("hex") };
}

describe("transport limits", () => {
  it("refuses a file whose record declares more than the limit, without allocating it, and still decodes the others", async () => {
    const bomb = await zerosBomb(300);
    expect(bomb.gz.length).toBeLessThan(2 * MIB);
    const small = Buffer.from("main;encode 7\n");
    const lines = [
      ...records("f1", "bomb.collapsed", 300 * MIB, bomb.sha256, bomb.gz),
      ...records(
        "f2",
        "small.collapsed",
        small.length,
        createHash("sha256").update(small).digest("hex"),
        gzipSync(small),
      ),
    ];
    const before = process.memoryUsage().rss;
    const { files, errors } = decodeRecords(lines);
    const grown = process.memoryUsage().rss - before;
    expect(errors.map((e) => [e.id, e.kind])).toEqual([["f1", "too-large"]]);
    expect(errors[0]!.message).toMatch(
      /bomb\.collapsed \(f1\): its record says 314572800 bytes, more than the 268435456/,
    );
    expect(files.map((f) => [f.name, f.bytes.toString()])).toEqual([["small.collapsed", "main;encode 7\n"]]);
    expect(grown).toBeLessThan(100 * MIB);
  });

  it("honours a lower limit, also for data that adds up to more than its record declares", () => {
    const payload = Buffer.from(
      Array.from({ length: 200_000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join(""),
    );
    const sha = createHash("sha256").update(payload).digest("hex");
    const honest = records("f1", "p.collapsed", payload.length, sha, gzipSync(payload, { level: 0 }), 4096);
    expect(decodeRecords(honest, { maxFileBytes: 100_000 }).errors.map((e) => e.kind)).toEqual(["too-large"]);
    expect(decodeRecords(honest, { maxFileBytes: 300_000 }).errors).toEqual([]);
    // A record that lies small while its chunks go on: refused when the chunks pass what the limit allows.
    const lying = records("f1", "p.collapsed", 10, sha, gzipSync(payload, { level: 0 }), 4096);
    const { errors } = decodeRecords(lying, { maxFileBytes: 100_000 });
    expect(errors.map((e) => e.kind)).toEqual(["too-large"]);
    expect(errors[0]!.message).toMatch(/chunks add up to more than a 100000-byte file can take/);
  });
});

describe("stream bounds (cluster/log-limits.ts) hold an honest helper's largest result", () => {
  const CHUNK = HELPER_LIMITS.chunkChars;
  const line = (o: object) => JSON.stringify(o).length + 1;
  /** The bytes of the records the helper writes for `gz` bytes of gzip, line by line as encode_file does. */
  function recordsBytes(gz: number, name: string): number {
    const b64 = Math.ceil(gz / 3) * 4;
    const chunks = Math.ceil(b64 / CHUNK);
    const header = { type: "file", id: "f1", name, format: "collapsed", size: 2 ** 40, sha256: "0".repeat(64) };
    let total = line({ ...header, encoding: "gzip+base64", chunks }) + line({ type: "end", id: "f1", chunks });
    // Each chunk line is its data plus the same frame; only the sequence number's digits vary.
    for (let digits = 1, from = 0; from < chunks; digits++, from = 10 ** (digits - 1)) {
      const n = Math.min(chunks, 10 ** digits) - from;
      total += n * line({ type: "chunk", id: "f1", seq: 10 ** (digits - 1), data: "" });
    }
    return total + b64;
  }
  /** The helper's own count (records_size in images/flink-profiling/lib/transport.sh). */
  const helperCount = (gz: number, nameLength: number) => {
    const b64 = Math.ceil(gz / 3) * 4;
    return b64 + Math.ceil(b64 / CHUNK) * 48 + 256 + 2 * nameLength;
  };

  it.each([1, 8, 1024])("a Job's log under --max-result-mib %d", (mib) => {
    const limit = mib * MIB;
    const name = "taskmanager-9999999999-20260101T000000Z";
    // The largest gzip the helper still sends under this limit.
    let lo = 0;
    let hi = limit;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (helperCount(mid, name.length) <= limit) lo = mid;
      else hi = mid - 1;
    }
    const records = recordsBytes(lo, `${name}.collapsed`);
    expect(jobLogLimit(mib).bytes - records).toBeGreaterThanOrEqual(EVENT_MARGIN_BYTES);
  });

  it.each([1, 256, 1024])("exec output of a file of --max-file-mib %d", (mib) => {
    // The most base64 the decoder takes for such a file, as gzip bytes, with a long file name.
    const gz = Math.floor((maxEncodedLength(mib * MIB) / 4) * 3);
    const records = recordsBytes(gz, "x".repeat(255));
    expect(execOutputLimit(mib).bytes - records).toBeGreaterThanOrEqual(EVENT_MARGIN_BYTES);
  });

  it("leaves room for an hour of progress events, one a second", () => {
    const progress = JSON.stringify({ type: "progress", pid: 9_999_999_999, elapsed: 3600, remaining: 3600 });
    expect(3601 * (progress.length + 1)).toBeLessThan(EVENT_MARGIN_BYTES / 3);
  });
});
