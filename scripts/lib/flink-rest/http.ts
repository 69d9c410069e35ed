// Talking to a Flink JobManager's REST API: one small client for the `operators` command, `--operator` and
// `--via rest`. Flink's REST API has no authorisation of its own, so this client only ever sends the requests
// its callers name (GETs to read jobs and metrics, and the profiler's own POST); it never follows redirects.
import { HintedError, UsageError } from "../profile-options.ts";
import type { RestResponse } from "./node-request.ts";

export interface FlinkRest {
  /** The base URL as given, without a trailing slash, e.g. http://127.0.0.1:8081 */
  readonly baseUrl: string;
  getJson<T = unknown>(path: string): Promise<T>;
  postJson<T = unknown>(path: string, body: unknown): Promise<T>;
  /** The raw bytes of a GET, e.g. a profiler's HTML file; refused past maxBytes (default 256 MiB) as they arrive. */
  getBytes(path: string, maxBytes?: number): Promise<Buffer>;
}

export interface FlinkRestOptions {
  /** Per request. Default 10 s: the JobManager answers metric queries from its cache. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Validates a user's --flink-rest value: an http(s) URL with a host and nothing after the path. Pure. */
export function parseRestUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `--flink-rest ${JSON.stringify(value)} is not a URL`,
      "give the JobManager's REST address, e.g. --flink-rest http://127.0.0.1:8081",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(
      `--flink-rest must be an http:// or https:// URL, not ${url.protocol}`,
      "e.g. --flink-rest http://127.0.0.1:8081",
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new UsageError(
      "--flink-rest takes no user, query or fragment",
      "give only scheme, host, port and an optional path prefix",
    );
  }
  return url.href.replace(/\/+$/, "");
}

/** A REST error with Flink's own message (Flink answers errors as {"errors": ["…"]}). */
export class FlinkRestError extends HintedError {
  readonly status: number;
  readonly errors: string[];
  constructor(method: string, url: string, status: number, errors: string[], hint: string) {
    super(`${method} ${url}: HTTP ${status}${errors.length ? `: ${errors[0].split("\n")[0]}` : ""}`, hint);
    this.status = status;
    this.errors = errors;
  }
}

export function flinkRest(baseUrl: string, opts: FlinkRestOptions = {}): FlinkRest {
  const base = parseRestUrl(baseUrl);
  const timeoutMs = opts.timeoutMs ?? 10_000;

  async function request(method: "GET" | "POST", path: string, body?: unknown): Promise<RestResponse> {
    if (!path.startsWith("/")) throw new Error(`REST path must start with /: ${path}`);
    const url = base + path;
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: RestResponse;
    // Loaded on the first request: the CLI's parser uses this module, and --local needs no node:http.
    const { nodeRequest } = await import("./node-request.ts");
    try {
      res = await nodeRequest(url, {
        method,
        signal: opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout,
        headers:
          body === undefined
            ? { accept: "application/json" }
            : { accept: "application/json", "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      const what = timeout.aborted ? `no answer within ${timeoutMs / 1000} s` : (err as Error).message;
      throw new HintedError(
        `cannot reach Flink's REST API at ${base}: ${what}`,
        "check the address (the JobManager's rest.port, 8081 by default) and that the JobManager runs",
      );
    }
    if (res.status < 200 || res.status > 299) {
      const text = await res.text().catch(() => "");
      let errors: string[] = [];
      try {
        errors = (JSON.parse(text) as { errors?: string[] }).errors ?? [];
      } catch {
        if (text) errors = [text.slice(0, 200)];
      }
      const hint =
        res.status === 404
          ? "this Flink does not know that path or id: check the job or TaskManager id, and the Flink version"
          : "see Flink's message above; the JobManager's log has the details";
      throw new FlinkRestError(method, url, res.status, errors, hint);
    }
    return res;
  }

  return {
    baseUrl: base,
    async getJson<T>(path: string) {
      return JSON.parse(await (await request("GET", path)).text()) as T;
    },
    async postJson<T>(path: string, body: unknown) {
      return JSON.parse(await (await request("POST", path, body)).text()) as T;
    },
    async getBytes(path: string, maxBytes = 256 * 1024 * 1024) {
      const res = await request("GET", path);
      // Read as it arrives, so that a server sending without end cannot make this process allocate it.
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > maxBytes) {
          res.cancel();
          throw new HintedError(
            `${base}${path} sent more than ${maxBytes} bytes`,
            "that is no profile this tool expects; download it yourself if you trust it",
          );
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    },
  };
}
