// What a kubelet would do for pods: schedule them onto one fake node, and either run their
// containers as local processes (Job pods, or pods asking for it) or just report them Running
// (pods standing for workloads that run elsewhere, e.g. a real TaskManager JVM on this machine).
import { existsSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import { recordEvent } from "./events.ts";
import type { Logs } from "./logs.ts";
import { containerEnv, exitCodeOf, expandRefs, type Container, type Lookup, type Processes } from "./processes.ts";
import { findResource } from "./resources.ts";
import { now, type KObject, type Store } from "./store.ts";

export const PODS = findResource("", "v1", "pods")!;
const CONFIGMAPS = findResource("", "v1", "configmaps")!;
const SECRETS = findResource("", "v1", "secrets")!;

export const NODE_NAME = "standin-node";
export const RUN_ANNOTATION = "k8s-standin/run";

export type ImageVerdict = "run" | { reason: string; message?: string };
export type ImageBehaviour = (image: string, pod: KObject) => ImageVerdict;

export type KubeletOptions = {
  baseEnv: NodeJS.ProcessEnv;
  cwd: string;
  imageBehaviour?: ImageBehaviour;
  runBarePods: boolean;
  maxGraceSeconds: number;
  /** Path of a kubeconfig for `user` with `namespace` as its default. */
  kubeconfigFor: (user: string, namespace: string) => string;
};

const podKey = (ns: string, name: string) => `${ns}/${name}`;

export class Kubelet {
  private procs = new Map<string, Map<string, ChildProcess>>();
  private store: Store;
  private logs: Logs;
  private processes: Processes;
  private opts: KubeletOptions;

  constructor(store: Store, logs: Logs, processes: Processes, opts: KubeletOptions) {
    this.store = store;
    this.logs = logs;
    this.processes = processes;
    this.opts = opts;
    store.subscribe((e) => {
      if (e.def === PODS && e.type === "ADDED")
        setImmediate(() => this.admit(e.object.metadata.namespace!, e.object.metadata.name));
    });
  }

  lookup(ns: string): Lookup {
    return (kind, name, key) => {
      const o = this.store.get(kind === "configmap" ? CONFIGMAPS : SECRETS, ns, name);
      const v = o?.data?.[key];
      if (v === undefined) return undefined;
      return kind === "secret" ? Buffer.from(v, "base64").toString() : v;
    };
  }

  /** Env and working directory for a process in this pod's container (job containers and exec alike). */
  processSetup(pod: KObject, c: Container): { env: NodeJS.ProcessEnv; own: Record<string, string>; cwd: string } {
    const ns = pod.metadata.namespace!;
    const sa = pod.spec?.serviceAccountName ?? "default";
    const base = { ...this.opts.baseEnv, KUBECONFIG: this.opts.kubeconfigFor(`system:serviceaccount:${ns}:${sa}`, ns) };
    const { env, own } = containerEnv(base, pod, c, this.lookup(ns));
    // A container's workingDir rarely exists on this machine; the runtime would create it.
    const cwd = c.workingDir && existsSync(c.workingDir) ? c.workingDir : this.opts.cwd;
    return { env, own, cwd };
  }

  private event(pod: KObject, type: "Normal" | "Warning", reason: string, message: string) {
    recordEvent(this.store, PODS, pod, type, reason, message, "kubelet");
  }

  private admit(ns: string, name: string) {
    const pod = this.store.get(PODS, ns, name);
    if (pod?.status?.phase !== "Pending" || pod.spec?.nodeName) return;
    const containers: Container[] = pod.spec.containers ?? [];
    for (const c of containers) {
      const verdict = this.opts.imageBehaviour?.(c.image ?? "", pod) ?? "run";
      if (verdict === "run") continue;
      if (verdict.reason === "Unschedulable") {
        const message =
          verdict.message ??
          "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";
        const p = this.store.mutate(PODS, ns, name, (o) => {
          o.status.conditions = [
            {
              type: "PodScheduled",
              status: "False",
              lastProbeTime: null,
              lastTransitionTime: now(),
              reason: "Unschedulable",
              message,
            },
          ];
        });
        if (p) recordEvent(this.store, PODS, p, "Warning", "FailedScheduling", message, "default-scheduler");
        return;
      }
      const p = this.schedule(ns, name, (o) => {
        o.status.containerStatuses = containers.map((x) =>
          waiting(x, x === c ? verdict.reason : "ContainerCreating", x === c ? verdict.message : undefined),
        );
      });
      if (p) {
        const pullMsg =
          verdict.message ??
          `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": not found`;
        if (/Pull|ErrImage/.test(verdict.reason)) {
          this.event(p, "Warning", "Failed", `Failed to pull image "${c.image}": ${pullMsg}`);
          this.event(p, "Warning", "Failed", "Error: ErrImagePull");
          this.event(p, "Normal", "BackOff", `Back-off pulling image "${c.image}"`);
          this.event(p, "Warning", "Failed", `Error: ${verdict.reason}`);
        } else this.event(p, "Warning", "Failed", `Error: ${verdict.message ?? verdict.reason}`);
      }
      return;
    }
    const run =
      this.opts.runBarePods ||
      pod.metadata.annotations?.[RUN_ANNOTATION] === "true" ||
      (pod.metadata.ownerReferences ?? []).some((r) => r.kind === "Job");
    if (!run) {
      const p = this.schedule(ns, name, (o) => {
        const t = now();
        o.status.phase = "Running";
        o.status.conditions = podConditions(true);
        o.status.containerStatuses = containers.map((c) => running(c, t));
      });
      if (p) for (const c of containers) this.event(p, "Normal", "Started", `Started container ${c.name}`);
      return;
    }
    this.schedule(ns, name, (o) => {
      o.status.containerStatuses = containers.map((c) => waiting(c, "ContainerCreating"));
    });
    for (const c of containers) this.startContainer(ns, name, c);
  }

  private schedule(ns: string, name: string, fn: (o: KObject) => void): KObject | undefined {
    const p = this.store.mutate(PODS, ns, name, (o) => {
      o.spec.nodeName = NODE_NAME;
      o.status = {
        ...o.status,
        hostIP: "127.0.0.1",
        podIP: "127.0.0.1",
        podIPs: [{ ip: "127.0.0.1" }],
        startTime: now(),
        conditions: podConditions(false),
      };
      fn(o);
    });
    if (p)
      recordEvent(
        this.store,
        PODS,
        p,
        "Normal",
        "Scheduled",
        `Successfully assigned ${ns}/${name} to ${NODE_NAME}`,
        "default-scheduler",
      );
    return p;
  }

  private startContainer(ns: string, name: string, c: Container) {
    const pod = this.store.get(PODS, ns, name);
    if (!pod) return;
    const { env, own, cwd } = this.processSetup(pod, c);
    const argv = [...(c.command ?? []), ...(c.args ?? [])].map((a) => expandRefs(a, own));
    const startedAt = now();
    this.event(pod, "Normal", "Pulled", `Container image "${c.image}" already present on machine`);
    this.event(pod, "Normal", "Created", `Created container: ${c.name}`);
    if (argv.length === 0) {
      this.finish(ns, name, c, { exitCode: 128, reason: "StartError", message: "no command specified", startedAt });
      return;
    }
    const child = this.processes.start(argv, env, cwd);
    let spawnError: Error | undefined;
    child.on("error", (err) => {
      spawnError = err;
    });
    child.on("spawn", () => {
      this.store.mutate(PODS, ns, name, (o) => {
        o.status.phase = "Running";
        o.status.containerStatuses = o.status.containerStatuses.map((s: { name: string }) =>
          s.name === c.name ? running(c, startedAt) : s,
        );
        o.status.conditions = podConditions(o.status.containerStatuses.every((s: { ready: boolean }) => s.ready));
      });
      const p = this.store.get(PODS, ns, name);
      if (p) this.event(p, "Normal", "Started", `Started container ${c.name}`);
    });
    let procs = this.procs.get(podKey(ns, name));
    if (!procs) this.procs.set(podKey(ns, name), (procs = new Map()));
    procs.set(c.name, child);
    // One stream for both, as `kubectl logs` shows them interleaved.
    child.stdout!.on("data", (d: Buffer) => this.logs.append(ns, name, c.name, d));
    child.stderr!.on("data", (d: Buffer) => this.logs.append(ns, name, c.name, d));
    child.on("close", (code, signal) => {
      procs.delete(c.name);
      if (spawnError) {
        const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown`;
        this.finish(ns, name, c, { exitCode: 128, reason: "StartError", message, startedAt });
      } else {
        const exitCode = exitCodeOf(code, signal);
        this.finish(ns, name, c, { exitCode, reason: exitCode === 0 ? "Completed" : "Error", startedAt });
      }
    });
  }

  private finish(
    ns: string,
    name: string,
    c: Container,
    t: { exitCode: number; reason: string; message?: string; startedAt: string },
  ) {
    this.logs.end(ns, name, c.name);
    const pod = this.store.mutate(PODS, ns, name, (o) => {
      const terminated = {
        exitCode: t.exitCode,
        reason: t.reason,
        ...(t.message ? { message: t.message } : {}),
        startedAt: t.startedAt,
        finishedAt: now(),
        containerID: `standin://${o.metadata.uid}/${c.name}`,
      };
      o.status.containerStatuses = o.status.containerStatuses.map((s: { name: string }) =>
        s.name === c.name ? { ...s, ready: false, started: false, state: { terminated } } : s,
      );
      const states = o.status.containerStatuses.map(
        (s: { state: { terminated?: { exitCode: number } } }) => s.state.terminated,
      );
      if (states.every(Boolean)) {
        o.status.phase = states.every((s: { exitCode: number }) => s.exitCode === 0) ? "Succeeded" : "Failed";
        o.status.conditions = podConditions(false);
      }
    });
    if (pod && t.reason === "StartError") this.event(pod, "Warning", "Failed", `Error: ${t.message}`);
    if (pod?.metadata.deletionTimestamp && !this.procs.get(podKey(ns, name))?.size) this.removePod(ns, name);
  }

  hasProcesses(ns: string, name: string): boolean {
    return (this.procs.get(podKey(ns, name))?.size ?? 0) > 0;
  }

  /**
   * Graceful deletion: the pod stays (with deletionTimestamp) until its processes are gone,
   * SIGTERM first, SIGKILL after the grace period (capped so tests stay quick).
   */
  async deletePod(ns: string, name: string, graceSeconds?: number): Promise<KObject> {
    const pod = this.store.get(PODS, ns, name);
    if (!pod) return this.store.remove(PODS, ns, name); // throws NotFound
    const procs = [...(this.procs.get(podKey(ns, name))?.values() ?? [])];
    if (procs.length === 0) return this.removePod(ns, name);
    if (pod.metadata.deletionTimestamp) return pod;
    const grace = Math.min(graceSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30, this.opts.maxGraceSeconds);
    const marked = this.store.mutate(PODS, ns, name, (o) => {
      o.metadata.deletionTimestamp = now();
      o.metadata.deletionGracePeriodSeconds = grace;
    })!;
    this.event(
      marked,
      "Normal",
      "Killing",
      `Stopping container ${procs.length === 1 ? [...this.procs.get(podKey(ns, name))!.keys()][0] : "all"}`,
    );
    for (const p of procs) void this.processes.terminate(p, grace * 1000);
    return marked;
  }

  /** Resolves when the pod object is gone (used by foreground deletion). */
  waitGone(ns: string, name: string): Promise<void> {
    return new Promise((resolve) => {
      if (!this.store.get(PODS, ns, name)) return resolve();
      const off = this.store.subscribe((e) => {
        if (
          e.def === PODS &&
          e.type === "DELETED" &&
          e.object.metadata.namespace === ns &&
          e.object.metadata.name === name
        ) {
          off();
          resolve();
        }
      });
    });
  }

  private removePod(ns: string, name: string): KObject {
    const gone = this.store.remove(PODS, ns, name);
    this.logs.removePod(ns, name);
    this.procs.delete(podKey(ns, name));
    return gone;
  }
}

function podConditions(ready: boolean) {
  const t = now();
  const s = ready ? "True" : "False";
  return [
    { type: "PodReadyToStartContainers", status: "True", lastProbeTime: null, lastTransitionTime: t },
    { type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: t },
    { type: "Ready", status: s, lastProbeTime: null, lastTransitionTime: t },
    { type: "ContainersReady", status: s, lastProbeTime: null, lastTransitionTime: t },
    { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: t },
  ];
}

function waiting(c: Container, reason: string, message?: string) {
  return {
    name: c.name,
    image: c.image,
    imageID: "",
    ready: false,
    started: false,
    restartCount: 0,
    state: { waiting: { reason, ...(message ? { message } : {}) } },
  };
}

function running(c: Container, startedAt: string) {
  return {
    name: c.name,
    image: c.image,
    imageID: `${c.image}@sha256:standin`,
    containerID: `standin://${c.name}`,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt } },
  };
}
