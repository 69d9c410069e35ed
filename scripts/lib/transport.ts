// Decodes the transport records of flink-profiler (`--emit-records`, `encode`): files that crossed a
// log as JSON lines (gzip, base64, chunks). Pure: lines in, files and errors out. The decoder takes one
// record at a time (createRecordDecoder), so a reader that streams need not keep the lines.
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { parseHelperLine, type FileRecord, type HelperEvent } from "./helper-events.ts";

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

// Each chunk's base64 is decoded when it comes: the gzip bytes are a quarter smaller than their base64
// and sit outside the JavaScript heap, and no string ever holds a whole file (V8 caps a string at 2^29
// characters, the base64 of a ~380 MiB file).
type Pending = { header: FileRecord; data: Buffer[]; encodedLength: number; padded: boolean; failed: boolean };

import { DEFAULT_MAX_FILE_BYTES } from "./transport-limits.ts";

export { DEFAULT_MAX_FILE_BYTES };

export type DecodeOptions = {
  /** The largest decoded file accepted; also bounds the base64 a file's chunks may add up to. */
  maxFileBytes?: number;
};

/**
 * The most base64 the records of a file of `maxFileBytes` carry: gzip stores incompressible data in
 * blocks with a few bytes of framing each (1 % is ample), base64 adds a third.
 */
export function maxEncodedLength(maxFileBytes: number): number {
  return Math.ceil(((maxFileBytes * 1.01 + 1024) * 4) / 3);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export interface RecordDecoder {
  /** One of the helper's lines or events; anything that is not a transport record is ignored. */
  push(record: HelperEvent | undefined): void;
  /** The stream ended: files still open are truncated. */
  finish(): DecodeResult;
}

export function createRecordDecoder(options: DecodeOptions = {}): RecordDecoder {
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

  const push = (record: HelperEvent | undefined) => {
    if (!record) return;
    if (record.type === "file") {
      const previous = open.get(record.id);
      if (previous) fail(previous, "truncated", "a new file record with the same id came before its end record");
      const p: Pending = { header: record, data: [], encodedLength: 0, padded: false, failed: false };
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
      return;
    }
    if (record.type !== "chunk" && record.type !== "end") return;
    const p = open.get(record.id);
    if (!p) {
      errors.push({
        id: record.id,
        kind: "orphan",
        message: `${record.type} record for file id ${record.id}, which was never announced`,
      });
      return;
    }
    if (record.type === "chunk") {
      const expected = p.data.length;
      if (record.seq < expected) fail(p, "duplicate", `chunk ${record.seq} arrived twice`);
      else if (record.seq >= p.header.chunks)
        fail(p, "corrupted", `chunk ${record.seq} is beyond the announced ${p.header.chunks} chunks`);
      else if (record.seq > expected) fail(p, "missing", `chunk ${expected} is missing (got ${record.seq} next)`);
      else if (!BASE64.test(record.data) || record.data.length % 4 !== 0)
        fail(p, "corrupted", `chunk ${record.seq} is not valid base64`);
      // Padding ends base64: chunks decoded one by one must not join data that ends in the middle.
      else if (p.padded) fail(p, "corrupted", `chunk ${record.seq} follows the padded end of the data`);
      else if (p.encodedLength + record.data.length > maxEncoded)
        fail(p, "too-large", `its chunks add up to more than a ${maxFileBytes}-byte file can take`);
      else {
        p.data.push(Buffer.from(record.data, "base64"));
        p.encodedLength += record.data.length;
        p.padded = record.data.endsWith("=");
      }
      // A failed file's data is dropped at once, so it holds no memory while the rest of the log is read.
      if (p.failed) p.data = [];
      return;
    }
    open.delete(record.id);
    if (p.failed) return;
    if (record.chunks !== p.header.chunks) {
      fail(p, "corrupted", `end record says ${record.chunks} chunks, the file record ${p.header.chunks}`);
    } else if (p.data.length < p.header.chunks) {
      fail(p, "missing", `only ${p.data.length} of ${p.header.chunks} chunks arrived`);
    } else {
      const file = assemble(p, fail);
      if (file) files.push(file);
    }
  };

  return {
    push,
    finish() {
      for (const p of open.values())
        fail(p, "truncated", `no end record (${p.data.length} of ${p.header.chunks} chunks arrived)`);
      open.clear();
      return { files, errors };
    },
  };
}

export function decodeRecords(lines: Iterable<string>, options: DecodeOptions = {}): DecodeResult {
  const decoder = createRecordDecoder(options);
  for (const line of lines) decoder.push(parseHelperLine(line));
  return decoder.finish();
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
  // The pieces go as soon as they are joined: a file costs about twice its size at most while it is checked.
  const gz = Buffer.concat(p.data);
  p.data = [];
  let bytes: Buffer;
  try {
    // The limit turns a lying size (or a gzip bomb) into an error instead of a huge allocation.
    bytes = gunzipSync(gz, { maxOutputLength: header.size + 1 });
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
