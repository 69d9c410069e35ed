// One HTTP request over node:http(s), for the REST client (http.ts). Not the global fetch: undici, behind it,
// costs about 0.2 s the first time a process uses it (measured on the 2-core machine: a first GET to a
// local JobManager took 210–300 ms through fetch, 33–76 ms through node:http), a fifth of the second
// `operators` may take. Redirects are never followed.
//
// node:http is taken with process.getBuiltinModule, not `import`: an import builds the module's ESM facade,
// which reads every export, and node:http's lazy ones (WebSocket and its events) load undici on the spot (measured with
// Node 24 on the 2-core machine: `await import("node:http")` 41–62 ms, getBuiltinModule 6–8 ms; under the
// load of a busy job the import was about 0.1 s of a 0.9 s `operators`).
import type http from "node:http";

export interface RestResponse {
  status: number;
  /** The body as it arrives. */
  body: AsyncIterable<Buffer>;
  /** The whole body as text. */
  text(): Promise<string>;
  /** Ends the response without reading the rest. */
  cancel(): void;
}

export interface RestRequest {
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  /** Aborting ends the request, also while its body is read. */
  signal: AbortSignal;
}

export function nodeRequest(url: string, init: RestRequest): Promise<RestResponse> {
  const target = new URL(url);
  const transport: Pick<typeof http, "request"> =
    target.protocol === "https:" ? process.getBuiltinModule("node:https") : process.getBuiltinModule("node:http");
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      { method: init.method, headers: init.headers, signal: init.signal },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.destroy();
          reject(new Error(`it answered with a redirect (HTTP ${status}), which is not followed`));
          return;
        }
        resolve({
          status,
          body: res,
          async text() {
            const chunks: Buffer[] = [];
            for await (const chunk of res) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks).toString("utf8");
          },
          cancel() {
            res.destroy();
          },
        });
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}
