// `pods/exec` over WebSocket, subprotocols v5.channel.k8s.io (and v4, which lacks only the
// stdin close signal). Every binary message starts with a channel byte:
//   0 stdin (client→server), 1 stdout, 2 stderr, 3 error (final metav1.Status as JSON),
//   4 resize (ignored: no tty here), 255 close signal, payload = the channel being closed (v5).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { exitCodeOf, type Processes } from "./processes.ts";

export const EXEC_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const CLOSE = 255;

export type ExecRequest = {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Real kubelets leave a non-tty exec'd process running when the client goes away. */
  killOnDisconnect: boolean;
};

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false,
});

export function offersExecProtocol(req: IncomingMessage): boolean {
  const offered = String(req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((s) => s.trim());
  return EXEC_PROTOCOLS.some((p) => offered.includes(p));
}

export function exitStatus(argv: string[], exitCode: number) {
  if (exitCode === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${argv.join(" ")}], exit code ${exitCode}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(exitCode) }] },
  };
}

export function handleExec(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  processes: Processes,
  r: ExecRequest,
): void {
  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    const send = (channel: number, data: Buffer | string) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
    };
    const child = processes.start(r.argv, r.env, r.cwd);
    if (!r.stdin) child.stdin!.end();
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on("error", (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    // Read output even after the client left, so the process never blocks on a full pipe.
    child.stdout!.on("data", (d: Buffer) => r.stdout && send(STDOUT, d));
    child.stderr!.on("data", (d: Buffer) => r.stderr && send(STDERR, d));
    child.on("close", (code, signal) => {
      let status: object;
      if (spawnError) {
        // containerd's wording, which the API server wraps into an InternalError.
        const why =
          spawnError.code === "ENOENT"
            ? `exec: "${r.argv[0]}": executable file not found in $PATH`
            : `exec: "${r.argv[0]}": ${spawnError.message}`;
        status = {
          metadata: {},
          status: "Failure",
          message: `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown`,
          reason: "InternalError",
          details: {
            causes: [
              {
                message: `error executing command in container: failed to exec in container: OCI runtime exec failed: ${why}: unknown`,
              },
            ],
          },
          code: 500,
        };
      } else status = exitStatus(r.argv, exitCodeOf(code, signal));
      send(ERROR, JSON.stringify(status));
      if (ws.readyState === ws.OPEN) ws.close(1000);
    });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const b = isBinary ? data : Buffer.from(data);
      if (b.length === 0) return;
      if (b[0] === STDIN && r.stdin) child.stdin!.write(b.subarray(1));
      else if (b[0] === CLOSE && b[1] === STDIN) child.stdin!.end();
    });
    ws.on("close", () => {
      if (!child.stdin!.writableEnded) child.stdin!.end();
      if (r.killOnDisconnect) void processes.terminate(child, 1000);
    });
    ws.on("error", () => {});
  });
}
