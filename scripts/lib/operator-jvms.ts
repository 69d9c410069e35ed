// Which local JVM is which Flink TaskManager, by what the JVMs themselves show: the resource id on their
// command line (`-Dtaskmanager.resource-id=tm-1`, as scripts/demo/local-flink/ and this project's images
// pass it), or else the ports they listen on against the data and RPC ports Flink's REST API reports for
// each TaskManager. A MiniCluster runs every TaskManager in one JVM: all of them match that one pid.
import { readFile, readdir, readlink } from "node:fs/promises";
import type { TaskManagerRef } from "./flink-rest/rest-shapes.ts";

export interface JvmFacts {
  pid: number;
  /** From the command line, when given there. */
  resourceId?: string;
  /** TCP ports it listens on (IPv4 and IPv6). */
  listening: number[];
}

const RESOURCE_ID = /^-D\s*taskmanager\.resource-id=(.+)$/;

/** The resource id a command line (NUL-separated, as /proc/PID/cmdline) sets; the last one wins, as in Flink. Pure. */
export function resourceIdOf(cmdline: string): string | undefined {
  let id: string | undefined;
  for (const arg of cmdline.split("\0")) id = RESOURCE_ID.exec(arg)?.[1] ?? id;
  return id;
}

/** Listening ports of /proc/net/tcp{,6} rows whose socket inode is one of `inodes`. Pure. */
export function listeningPorts(procNetTcp: string, inodes: ReadonlySet<string>): number[] {
  const ports: number[] = [];
  for (const row of procNetTcp.split("\n").slice(1)) {
    const f = row.trim().split(/\s+/);
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    if (f.length < 10 || f[3] !== "0A" || !inodes.has(f[9]!)) continue;
    ports.push(parseInt(f[1]!.split(":")[1]!, 16));
  }
  return ports;
}

/** Reads one JVM's facts from /proc; what it may not read (another user's process) stays empty. */
export async function inspectJvm(pid: number): Promise<JvmFacts> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  const inodes = new Set<string>();
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  await Promise.all(
    fds.map(async (fd) => {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ""));
      if (m) inodes.add(m[1]!);
    }),
  );
  const tables = await Promise.all(
    ["tcp", "tcp6"].map((t) => readFile(`/proc/${pid}/net/${t}`, "utf8").catch(() => "")),
  );
  const resourceId = resourceIdOf(cmdline);
  return {
    pid,
    ...(resourceId !== undefined ? { resourceId } : {}),
    listening: [...new Set(tables.flatMap((t) => listeningPorts(t, inodes)))].sort((a, b) => a - b),
  };
}

/**
 * TaskManager id → pid. Resource ids are not unique on one machine (two local clusters both have a "tm-1"),
 * so a JVM with the id must also listen on the TaskManager's data port, unless it is the only one with that
 * id and its sockets cannot be read (another user's process). A JVM without a resource id must listen on the
 * data port and, where REST gives one with a host, on the RPC port too (a port alone could be another
 * machine's TaskManager that happens to use the same number). Pure.
 */
export function matchTaskManagers(jvms: readonly JvmFacts[], tms: readonly TaskManagerRef[]): Map<string, number> {
  const found = new Map<string, number>();
  const listensOn = (j: JvmFacts, port: number | undefined) => port !== undefined && j.listening.includes(port);
  for (const tm of tms) {
    const byId = jvms.filter((j) => j.resourceId === tm.id);
    const confirmed = byId.filter((j) => listensOn(j, tm.dataPort));
    if (confirmed.length === 1) {
      found.set(tm.id, confirmed[0]!.pid);
      continue;
    }
    if (byId.length === 1 && (byId[0]!.listening.length === 0 || tm.dataPort === undefined)) {
      found.set(tm.id, byId[0]!.pid);
      continue;
    }
    if (byId.length > 0 || tm.dataPort === undefined) continue;
    const byPorts = jvms
      .filter((j) => !j.resourceId)
      .filter((j) => listensOn(j, tm.dataPort) && (tm.rpcPort === undefined || j.listening.includes(tm.rpcPort)));
    if (byPorts.length === 1) found.set(tm.id, byPorts[0]!.pid);
  }
  return found;
}
