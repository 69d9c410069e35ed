// Decodes the transport records of flink-profiler (`--emit-records`, `encode`): files that crossed a
// log as JSON lines (gzip, base64, chunks). Pure: lines in, files and errors out.
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { parseHelperLine, type FileRecord } from "./helper-events.ts";

export type DecodedFile = {
  id: string;
  name: string;
  format: string;
  bytes: Buffer;
  sha256: string;
  size: number;
};

export type TransportErrorKind =
  | "corrupted" // data that is not base64, does not gunzip, or a chunk that does not fit the header
  | "truncated" // the stream ended, or the file started again, before its end record
  | "duplicate" // a chunk sequence number that already came
  | "missing" // a gap in the chunk sequence, or fewer chunks than announced
  | "mismatch" // decoded size or sha256 differs from the file record
  | "orphan" // a chunk or end record for a file that was never announced
  | "too-large"; // a declared size, or the data that came, beyond the limit (DecodeOptions.maxFileBytes)

export type TransportError = { id: string; name?: string; kind: TransportErrorKind; message: string };

export type DecodeResult = { files: DecodedFile[]; errors: TransportError[] };

type Pending = { header: FileRecord; data: string[]; encodedLength: number; failed: boolean };

/**
 * What a decoder holds in memory is bounded by these: a forged or runaway log cannot make it allocate more.
 * 256 MiB per file is far beyond a flame graph of a long profile (a 60 s wall profile's html is a few MiB).
 */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

export type DecodeOptions = {
  /** The largest decoded file accepted; also bounds the base64 a file's chunks may add up to. */
  maxFileBytes?: number;
};

/** gzip stores incompressible data in blocks with a few bytes of framing each; base64 adds a third. */
function maxEncodedLength(maxFileBytes: number): number {
  return Math.ceil(((maxFileBytes * 1.01 + 1024) * 4) / 3);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export function decodeRecords(lines: Iterable<string>, options: DecodeOptions = {}): DecodeResult {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxEncoded = maxEncodedLength(maxFileBytes);
  const files: DecodedFile[] = [];
  const errors: TransportError[] = [];
  const open = new Map<string, Pending>();

  const fail = (p: Pending, kind: TransportErrorKind, what: string) => {
    if (p.failed) return;
    p.failed = true;
    errors.push({ id: p.header.id, name: p.header.name, kind, message: `${p.header.name} (${p.header.id}): ${what}` });
  };

  for (const line of lines) {
    const record = parseHelperLine(line);
    if (!record) continue;
    if (record.type === "file") {
      const previous = open.get(record.id);
      if (previous) fail(previous, "truncated", "a new file record with the same id came before its end record");
      const p: Pending = { header: record, data: [], encodedLength: 0, failed: false };
      open.set(record.id, p);
      if (record.encoding !== "gzip+base64") fail(p, "corrupted", `unknown encoding ${record.encoding}`);
      else if (!Number.isSafeInteger(record.chunks) || record.chunks < 1)
        fail(p, "corrupted", `bad chunk count ${record.chunks}`);
      else if (!Number.isSafeInteger(record.size) || record.size < 0) fail(p, "corrupted", `bad size ${record.size}`);
      else if (!SHA256.test(record.sha256)) fail(p, "corrupted", "bad sha256 in the file record");
      else if (record.size > maxFileBytes)
        fail(
          p,
          "too-large",
          `its record says ${record.size} bytes, more than the ${maxFileBytes} this decoder accepts`,
        );
      continue;
    }
    if (record.type !== "chunk" && record.type !== "end") continue;
    const p = open.get(record.id);
    if (!p) {
      errors.push({
        id: record.id,
        kind: "orphan",
        message: `${record.type} record for file id ${record.id}, which was never announced`,
      });
      continue;
    }
    if (record.type === "chunk") {
      const expected = p.data.length;
      if (record.seq < expected) fail(p, "duplicate", `chunk ${record.seq} arrived twice`);
      else if (record.seq >= p.header.chunks)
        fail(p, "corrupted", `chunk ${record.seq} is beyond the announced ${p.header.chunks} chunks`);
      else if (record.seq > expected) fail(p, "missing", `chunk ${expected} is missing (got ${record.seq} next)`);
      else if (!BASE64.test(record.data) || record.data.length % 4 !== 0)
        fail(p, "corrupted", `chunk ${record.seq} is not valid base64`);
      else if (p.encodedLength + record.data.length > maxEncoded)
        fail(p, "too-large", `its chunks add up to more than a ${maxFileBytes}-byte file can take`);
      else {
        p.data.push(record.data);
        p.encodedLength += record.data.length;
      }
      // A failed file's data is dropped at once, so it holds no memory while the rest of the log is read.
      if (p.failed) p.data = [];
      continue;
    }
    open.delete(record.id);
    if (p.failed) continue;
    if (record.chunks !== p.header.chunks) {
      fail(p, "corrupted", `end record says ${record.chunks} chunks, the file record ${p.header.chunks}`);
    } else if (p.data.length < p.header.chunks) {
      fail(p, "missing", `only ${p.data.length} of ${p.header.chunks} chunks arrived`);
    } else {
      const file = assemble(p, fail);
      if (file) files.push(file);
    }
  }

  for (const p of open.values())
    fail(p, "truncated", `no end record (${p.data.length} of ${p.header.chunks} chunks arrived)`);
  return { files, errors };
}

/** Convenience for a whole captured log. */
export function decodeRecordsFromText(text: string, options: DecodeOptions = {}): DecodeResult {
  return decodeRecords(text.split(/\r?\n/), options);
}

function assemble(
  p: Pending,
  fail: (p: Pending, kind: TransportErrorKind, what: string) => void,
): DecodedFile | undefined {
  const { header } = p;
  let bytes: Buffer;
  try {
    // The limit turns a lying size (or a gzip bomb) into an error instead of a huge allocation.
    bytes = gunzipSync(Buffer.from(p.data.join(""), "base64"), { maxOutputLength: header.size + 1 });
  } catch (err) {
    const reason = err instanceof RangeError ? "decompresses to more bytes than its size" : "does not decompress";
    fail(p, err instanceof RangeError ? "mismatch" : "corrupted", `data ${reason} (${(err as Error).message})`);
    return undefined;
  }
  if (bytes.length !== header.size) {
    fail(p, "mismatch", `size is ${bytes.length} bytes, the file record says ${header.size}`);
    return undefined;
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (sha256 !== header.sha256) {
    fail(p, "mismatch", `sha256 is ${sha256}, the file record says ${header.sha256}`);
    return undefined;
  }
  return { id: header.id, name: header.name, format: header.format, bytes, sha256, size: bytes.length };
}
