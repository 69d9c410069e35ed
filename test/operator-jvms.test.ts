// Which local JVM is which TaskManager: the pure half (command line, /proc/net/tcp rows, the match), and
// this very process as a real JVM-less check of inspectJvm reading its own listening socket.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { inspectJvm, listeningPorts, matchTaskManagers, resourceIdOf } from "../scripts/lib/operator-jvms.ts";

describe("resourceIdOf", () => {
  it("reads -Dtaskmanager.resource-id from a NUL-separated command line, the last one winning", () => {
    expect(
      resourceIdOf(
        [
          "java",
          "-Xmx1g",
          "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
          "-Dtaskmanager.resource-id=tm-1",
          "",
        ].join("\0"),
      ),
    ).toBe("tm-1");
    expect(
      resourceIdOf(["java", "-Dtaskmanager.resource-id=a", "Main", "-Dtaskmanager.resource-id=b"].join("\0")),
    ).toBe("b");
    expect(resourceIdOf(["java", "Main"].join("\0"))).toBeUndefined();
  });
});

describe("listeningPorts", () => {
  const table = [
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    "   0: 0100007F:9C4B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0",
    "   1: 0100007F:A0F1 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 100 0 0 10 0",
    "   2: 0100007F:9C4B 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 20 4 30 10 -1",
  ].join("\n");
  it("keeps LISTEN rows (st 0A) of the given socket inodes", () => {
    expect(listeningPorts(table, new Set(["111"]))).toEqual([0x9c4b]);
    expect(listeningPorts(table, new Set(["111", "222"]))).toEqual([0x9c4b, 0xa0f1]);
    expect(listeningPorts(table, new Set(["333"]))).toEqual([]);
  });
  it("finds a real listening socket of this process", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as { port: number }).port;
      expect((await inspectJvm(process.pid)).listening).toContain(port);
    } finally {
      server.close();
    }
  });
});

describe("matchTaskManagers", () => {
  const tms = [
    { id: "tm-1", dataPort: 40001, rpcHost: "127.0.0.1", rpcPort: 41001 },
    { id: "tm-2", dataPort: 40002, rpcHost: "127.0.0.1", rpcPort: 41002 },
    { id: "9f3c1a", dataPort: 40003 },
  ];
  it("a resource id decides; ports identify a JVM without one; a MiniCluster JVM runs several", () => {
    const m = matchTaskManagers(
      [
        { pid: 10, resourceId: "tm-1", listening: [40001] },
        { pid: 20, listening: [40002, 41002] },
        { pid: 30, listening: [40003] },
      ],
      tms,
    );
    expect([...m]).toEqual([
      ["tm-1", 10],
      ["tm-2", 20],
      ["9f3c1a", 30],
    ]);
    const mini = matchTaskManagers([{ pid: 7, listening: [40001, 41001, 40002, 41002, 40003] }], tms);
    expect([...mini.values()]).toEqual([7, 7, 7]);
  });
  it("two local clusters both have a tm-1: the one listening on this Flink's data port is it", () => {
    const two = [
      { pid: 11, resourceId: "tm-1", listening: [50001, 51001] },
      { pid: 12, resourceId: "tm-1", listening: [40001, 41001] },
    ];
    expect(matchTaskManagers(two, tms).get("tm-1")).toBe(12);
    // The only tm-1 here, but it listens elsewhere: another cluster's.
    expect(matchTaskManagers([two[0]!], tms).has("tm-1")).toBe(false);
    // The only tm-1, its sockets unreadable (another user's): taken on its word.
    expect(matchTaskManagers([{ pid: 13, resourceId: "tm-1", listening: [] }], tms).get("tm-1")).toBe(13);
    expect(
      matchTaskManagers(
        [
          { pid: 11, resourceId: "tm-1", listening: [] },
          { pid: 13, resourceId: "tm-1", listening: [] },
        ],
        tms,
      ).has("tm-1"),
    ).toBe(false);
  });

  it("the data port alone is not enough when Flink names an RPC port the JVM does not listen on", () => {
    expect(matchTaskManagers([{ pid: 20, listening: [40002] }], tms).has("tm-2")).toBe(false);
    expect(matchTaskManagers([{ pid: 20, resourceId: "other", listening: [40002, 41002] }], tms).size).toBe(0);
  });
});
