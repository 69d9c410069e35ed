// One HTTP request over node:http(s), for the REST client (http.ts). Not the global fetch: undici, behind it,
// costs about 0.2 s the first time a process uses it (measured on the 2-core machine: a first GET to a
// local JobManager took 210–300 ms through fetch, 33–76 ms through node:http), a fifth of the second
// `operators` may take. Redirects are never followed.
import http from "node:http";
import https from "node:https";

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
  const transport = target.protocol === "https:" ? https : http;
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
