// Container logs as the kubelet keeps them: an append-only byte stream per container that
// `follow=true` readers tail until the container ends.
import type { IncomingMessage, ServerResponse } from "node:http";

type Follower = (chunk: Buffer | null) => void;

class ContainerLog {
  chunks: Buffer[] = [];
  ended = false;
  followers = new Set<Follower>();
}

export type LogQuery = { follow: boolean; tailLines?: number; limitBytes?: number };

export class Logs {
  private logs = new Map<string, ContainerLog>();

  private log(ns: string, pod: string, container: string): ContainerLog {
    const k = `${ns}/${pod}/${container}`;
    let l = this.logs.get(k);
    if (!l) this.logs.set(k, (l = new ContainerLog()));
    return l;
  }

  append(ns: string, pod: string, container: string, data: Buffer | string): void {
    const l = this.log(ns, pod, container);
    const b = Buffer.isBuffer(data) ? data : Buffer.from(data);
    l.chunks.push(b);
    for (const f of l.followers) f(b);
  }

  /** The container ended: followers get the rest and their responses close. */
  end(ns: string, pod: string, container: string): void {
    const l = this.log(ns, pod, container);
    l.ended = true;
    for (const f of l.followers) f(null);
    l.followers.clear();
  }

  /** The pod is gone: end every follower and forget its logs. */
  removePod(ns: string, pod: string): void {
    for (const [k, l] of this.logs) {
      if (!k.startsWith(`${ns}/${pod}/`)) continue;
      for (const f of l.followers) f(null);
      this.logs.delete(k);
    }
  }

  text(ns: string, pod: string, container: string): string {
    return Buffer.concat(this.log(ns, pod, container).chunks).toString();
  }

  serve(req: IncomingMessage, res: ServerResponse, ns: string, pod: string, container: string, q: LogQuery): void {
    const l = this.log(ns, pod, container);
    let body: Buffer = Buffer.concat(l.chunks);
    if (q.tailLines !== undefined) body = tail(body, q.tailLines);
    let budget = q.limitBytes ?? Infinity;
    res.writeHead(200, { "Content-Type": "text/plain", "Cache-Control": "no-cache, private" });
    const write = (b: Buffer) => {
      if (budget <= 0) return;
      const part = b.subarray(0, Math.min(b.length, budget));
      budget -= part.length;
      res.write(part);
    };
    write(body);
    if (!q.follow || l.ended || budget <= 0) {
      res.end();
      return;
    }
    const follower: Follower = (chunk) => {
      if (chunk === null || budget <= 0) {
        l.followers.delete(follower);
        res.end();
      } else write(chunk);
    };
    l.followers.add(follower);
    req.on("close", () => l.followers.delete(follower));
  }
}

function tail(b: Buffer, n: number): Buffer {
  if (n <= 0) return Buffer.alloc(0);
  // A trailing newline ends the last line rather than starting an empty one.
  let end = b.length;
  if (end > 0 && b[end - 1] === 0x0a) end--;
  let pos = end;
  for (let i = 0; i < n; i++) {
    if (pos <= 0) return b;
    const nl = b.lastIndexOf(0x0a, pos - 1);
    if (nl < 0) return b;
    pos = nl;
  }
  return b.subarray(pos + 1);
}
