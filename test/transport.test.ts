import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helperPath, parseHelperLine } from "../scripts/lib/helper-events.ts";
import { createRecordDecoder, decodeRecords, decodeRecordsFromText } from "../scripts/lib/transport.ts";

// Deterministic bytes that gzip can only partly squeeze, so the stream has many chunks.
function randomish(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = i % 7 === 0 ? 0x41 : x >>> 24;
  }
  return out;
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("transport records: bash encoder → TypeScript decoder", () => {
  let dir: string;
  const inputs: Record<string, Buffer> = {};
  let lines: string[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "transport-test-"));
    inputs["empty.collapsed"] = Buffer.alloc(0);
    inputs["small.html"] = Buffer.from('<html>"quotes" \\ and ünïcödé\n</html>\n');
    inputs["big.jfr"] = randomish(3 * 1024 * 1024 + 17, 42);
    for (const [name, bytes] of Object.entries(inputs)) writeFileSync(join(dir, name), bytes);
    const out = execFileSync(helperPath(), ["encode", ...Object.keys(inputs).map((n) => join(dir, n))], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    lines = out.split("\n").filter((l) => l !== "");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const recordsOf = (id: string) => lines.map((l) => parseHelperLine(l)).filter((r) => r && "id" in r && r.id === id);

  it("writes only JSON lines, none longer than 3 KiB", () => {
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(Math.max(...lines.map((l) => Buffer.byteLength(l)))).toBeLessThanOrEqual(3072);
    // The big file must really be cut into many chunks for the chunk checks below to mean anything.
    expect(recordsOf("f3").length).toBeGreaterThan(100);
  });

  it("round-trips 0 bytes, a small file and ~3 MiB byte for byte", () => {
    const { files, errors } = decodeRecords(lines);
    expect(errors).toEqual([]);
    expect(files.map((f) => [f.id, f.name, f.format])).toEqual([
      ["f1", "empty.collapsed", "collapsed"],
      ["f2", "small.html", "html"],
      ["f3", "big.jfr", "jfr"],
    ]);
    for (const f of files) {
      const original = inputs[f.name]!;
      expect(f.size).toBe(original.length);
      expect(f.sha256).toBe(sha(original));
      expect(f.bytes.equals(original)).toBe(true);
    }
  });

  it("ignores lines that are not records, such as log noise around them", () => {
    const noisy = [
      'Defaulted container "flink"',
      "",
      "{not json",
      '{"type":"progress","pid":1,"elapsed":1,"remaining":2}',
    ]
      .flatMap((n, i) => [n, ...lines.slice(i * 5, i * 5 + 5)])
      .concat(lines.slice(20));
    const { files, errors } = decodeRecordsFromText(noisy.join("\r\n"));
    expect(errors).toEqual([]);
    expect(files).toHaveLength(3);
  });

  // Changes one record of f3 and expects f3 alone to fail, naming it; f1 and f2 still decode.
  function tamper(edit: (records: Record<string, unknown>[]) => Record<string, unknown>[]) {
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = parsed.filter((r) => r.id === "f3");
    const others = parsed.filter((r) => r.id !== "f3");
    const result = decodeRecords([...others, ...edit(mine)].map((r) => JSON.stringify(r)));
    expect(result.files.map((f) => f.name)).toEqual(["empty.collapsed", "small.html"]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toContain("big.jfr");
    return result.errors[0]!;
  }

  it("rejects a corrupted chunk", () => {
    const error = tamper((rs) =>
      rs.map((r) => {
        if (r.type !== "chunk" || r.seq !== 50) return r;
        const data = r.data as string;
        const i = 1000;
        return { ...r, data: data.slice(0, i) + (data[i] === "A" ? "B" : "A") + data.slice(i + 1) };
      }),
    );
    expect(["corrupted", "mismatch"]).toContain(error.kind);
  });

  it("rejects a chunk that is not base64", () => {
    const error = tamper((rs) => rs.map((r) => (r.type === "chunk" && r.seq === 3 ? { ...r, data: "!!!!" } : r)));
    expect(error.kind).toBe("corrupted");
  });

  it("rejects a missing chunk", () => {
    const error = tamper((rs) => rs.filter((r) => !(r.type === "chunk" && r.seq === 7)));
    expect(error.kind).toBe("missing");
    expect(error.message).toContain("chunk 7");
  });

  it("rejects a missing last chunk even though the end record came", () => {
    const last = (recordsOf("f3").filter((r) => r!.type === "chunk").length - 1) as number;
    const error = tamper((rs) => rs.filter((r) => !(r.type === "chunk" && r.seq === last)));
    expect(error.kind).toBe("missing");
  });

  it("rejects a duplicated chunk", () => {
    const error = tamper((rs) => rs.flatMap((r) => (r.type === "chunk" && r.seq === 4 ? [r, r] : [r])));
    expect(error.kind).toBe("duplicate");
  });

  it("rejects a truncated stream (no end record)", () => {
    const error = tamper((rs) => rs.slice(0, rs.length - 10));
    expect(error.kind).toBe("truncated");
  });

  it("rejects a size mismatch", () => {
    const error = tamper((rs) => rs.map((r) => (r.type === "file" ? { ...r, size: (r.size as number) - 1 } : r)));
    expect(error.kind).toBe("mismatch");
  });

  it("rejects a sha256 mismatch", () => {
    const error = tamper((rs) => rs.map((r) => (r.type === "file" ? { ...r, sha256: "0".repeat(64) } : r)));
    expect(error.kind).toBe("mismatch");
    expect(error.message).toContain("sha256");
  });

  // Chunks are decoded one by one: padding in the middle would join two base64 streams into one file.
  it("rejects a chunk after one that ends in padding", () => {
    const error = tamper((rs) =>
      rs.map((r) => (r.type === "chunk" && r.seq === 5 ? { ...r, data: `${(r.data as string).slice(0, -4)}QQ==` } : r)),
    );
    expect(error.kind).toBe("corrupted");
    expect(error.message).toContain("chunk 6 follows the padded end of the data");
  });

  it("decodes record by record as they come, as decodeRecords does with the whole log", () => {
    const decoder = createRecordDecoder();
    for (const l of lines) decoder.push(parseHelperLine(l));
    const { files, errors } = decoder.finish();
    expect(errors).toEqual([]);
    expect(files.map((f) => [f.name, f.sha256])).toEqual(decodeRecords(lines).files.map((f) => [f.name, f.sha256]));
  });

  it("reports chunks of a file that was never announced", () => {
    const { files, errors } = decodeRecords(lines.filter((l) => !l.includes('"type":"file","id":"f2"')));
    expect(files.map((f) => f.id)).toEqual(["f1", "f3"]);
    expect(errors.map((e) => [e.id, e.kind])).toEqual([
      ["f2", "orphan"],
      ["f2", "orphan"],
    ]);
  });
});

describe("parseHelperLine", () => {
  it("accepts the contract's events and rejects lines that only look like them", () => {
    expect(parseHelperLine('{"type":"done","pid":1,"status":"ok"}')).toEqual({ type: "done", pid: 1, status: "ok" });
    expect(parseHelperLine('{"type":"error","code":"x","message":"m"}')).toEqual({
      type: "error",
      code: "x",
      message: "m",
      hint: "",
    });
    expect(parseHelperLine('{"type":"status","pid":3,"role":"jvm","active":false,"seconds":null}')?.type).toBe(
      "status",
    );
    expect(parseHelperLine('{"type":"done","pid":"1","status":"ok"}')).toBeUndefined();
    expect(parseHelperLine('{"type":"whatever"}')).toBeUndefined();
    expect(parseHelperLine("[1,2]")).toBeUndefined();
    expect(parseHelperLine("Profiling started")).toBeUndefined();
    expect(parseHelperLine('{"type":"chunk","id":"f1","seq":0,"data":')).toBeUndefined();
  });
});
