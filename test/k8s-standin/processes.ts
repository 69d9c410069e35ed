// Local processes standing in for containers and exec sessions. Each runs in its own process
// group so that killing "the container" also kills whatever its shell started, as a container
// runtime would.
import { spawn, type ChildProcess } from "node:child_process";
import type { KObject } from "./store.ts";

export type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
};

export type Container = {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  workingDir?: string;
};

export type Lookup = (kind: "configmap" | "secret", name: string, key: string) => string | undefined;

/** `$(VAR)` references to the container's own env, expanded the way the kubelet does; `$$` escapes. */
export function expandRefs(s: string, vars: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === "$$") return "$";
    return name !== undefined && Object.hasOwn(vars, name) ? vars[name] : m;
  });
}

function fieldRef(pod: KObject, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return pod.metadata[m[1] as "labels" | "annotations"]?.[m[2]] ?? "";
  let cur: unknown = pod;
  for (const seg of path.split("."))
    cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[seg] : undefined;
  return cur === undefined || cur === null ? "" : String(cur);
}

/** The container's env (as the kubelet resolves it) layered over the stand-in's base env. */
export function containerEnv(
  base: NodeJS.ProcessEnv,
  pod: KObject,
  c: Container,
  lookup: Lookup,
): { env: NodeJS.ProcessEnv; own: Record<string, string> } {
  const own: Record<string, string> = {};
  for (const e of c.env ?? []) {
    let v: string | undefined;
    if (e.value !== undefined) v = expandRefs(e.value, own);
    else if (e.valueFrom?.fieldRef) v = fieldRef(pod, e.valueFrom.fieldRef.fieldPath);
    else if (e.valueFrom?.configMapKeyRef)
      v = lookup("configmap", e.valueFrom.configMapKeyRef.name, e.valueFrom.configMapKeyRef.key);
    else if (e.valueFrom?.secretKeyRef)
      v = lookup("secret", e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
    own[e.name] = v ?? "";
  }
  return { env: { ...base, HOSTNAME: pod.metadata.name, ...own }, own };
}

export class Processes {
  private running = new Set<ChildProcess>();
  // Groups outlive their leader when it left background children behind (`cmd &`).
  private groups = new Set<number>();

  /** No shell: argv reaches the program exactly as given. PATH lookup uses `env.PATH`. */
  start(argv: string[], env: NodeJS.ProcessEnv, cwd: string | undefined): ChildProcess {
    const child = spawn(argv[0], argv.slice(1), { env, cwd, stdio: ["pipe", "pipe", "pipe"], detached: true });
    this.running.add(child);
    if (child.pid !== undefined) this.groups.add(child.pid);
    child.on("exit", () => this.running.delete(child));
    child.on("error", () => this.running.delete(child));
    // A child that ignores its stdin must not crash the server with EPIPE.
    child.stdin?.on("error", () => {});
    return child;
  }

  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the process has exited. */
  terminate(child: ChildProcess, graceMs: number): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    signalGroup(child, "SIGTERM");
    const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
    return exited.finally(() => clearTimeout(timer));
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.running].map((c) => this.terminate(c, 500)));
    for (const pgid of this.groups) {
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {
        // group already empty
      }
    }
    this.groups.clear();
  }
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, sig);
  } catch {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  }
}

/** Exit code as a container runtime reports it: 128+signal for a killed process. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const nums: Record<string, number> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGABRT: 6,
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGPIPE: 13,
    SIGTERM: 15,
  };
  return 128 + (signal ? (nums[signal] ?? 0) : 0);
}
