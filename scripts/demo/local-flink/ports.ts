// Free loopback ports for the JobManager's RPC and REST endpoints, so that several local clusters (a
// test's and a developer's demo, say) can run side by side. The port is released before Flink binds it;
// on a shared machine another process could take it in between, which Flink then reports as a bind error.
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}
