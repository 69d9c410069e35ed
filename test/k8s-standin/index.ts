// A Kubernetes API stand-in for tests that drive the real kubectl: see README-style notes in
// startStandin's doc comment. Everything runs in this process; containers and exec sessions
// are local processes.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobController } from "./jobs.ts";
import { Kubelet, type ImageBehaviour } from "./kubelet.ts";
import { writeKubeconfig, type KubeconfigOptions } from "./kubeconfig.ts";
import { Logs } from "./logs.ts";
import { Processes } from "./processes.ts";
import { Authorizer, type Rule } from "./rbac.ts";
import { RESOURCES, type ResourceDef } from "./resources.ts";
import { ApiServer, NAMESPACES, type RequestRecord } from "./server.ts";
import { Store, type KObject } from "./store.ts";

export type { ImageBehaviour, ImageVerdict } from "./kubelet.ts";
export { RUN_ANNOTATION } from "./kubelet.ts";
export type { KubeconfigOptions, ContextSpec } from "./kubeconfig.ts";
export type { Rule } from "./rbac.ts";
export type { KObject } from "./store.ts";
export type { RequestRecord } from "./server.ts";

export type StandinOptions = {
  /** Namespaces to create besides default, kube-system and kube-public. */
  namespaces?: string[];
  /** Base environment of containers and exec'd commands (default: this process's env). */
  env?: NodeJS.ProcessEnv;
  /** Working directory of containers and exec'd commands (default: this process's cwd). */
  cwd?: string;
  /** Decide per container image whether it runs or fails like ImagePullBackOff/Unschedulable. */
  imageBehaviour?: ImageBehaviour;
  /** Run the containers of pods created directly too (default: only Job pods and pods annotated `k8s-standin/run: "true"`). */
  runBarePods?: boolean;
  /** Kill an exec'd process when its client disconnects (default false, like a kubelet without tty). */
  execKillOnDisconnect?: boolean;
  /** Upper bound on a pod's termination grace period, in seconds (default 2). */
  maxGraceSeconds?: number;
  /** Called with one line per request, for debugging. */
  trace?: (line: string) => void;
};

export type Standin = {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  store: Store;
  rbac: Authorizer;
  /** Every API request seen, in order (exec upgrades included), for "nothing was created" checks. */
  requests: RequestRecord[];
  /** Writes a kubeconfig for this stand-in; returns `path`. */
  writeKubeconfig(path: string, opts?: KubeconfigOptions): string;
  /** Requests matching the rule are answered 403 (and `auth can-i` says no). Returns an undo function. */
  deny(rule: Rule): () => void;
  /** `user` may only do what these rules match from now on. Returns an undo function. */
  allowOnly(user: string, rules: Rule[]): () => void;
  /** Create an object as the API would (defaults, validation, controllers), bypassing RBAC. */
  create(obj: KObject): KObject;
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KObject[];
  /** Delete as the API would (propagation as given, default Background); resolves when accepted. */
  delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    propagationPolicy?: "Background" | "Foreground" | "Orphan",
  ): Promise<void>;
  /** Append to a pod container's log (pods not run by the stand-in have no log otherwise). */
  appendLog(namespace: string, pod: string, container: string, text: string): void;
  /** Stops the server, ends watches and streams, kills every process it started. */
  close(): Promise<void>;
};

function defFor(apiVersion: string, kind: string): ResourceDef {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const def = RESOURCES.find((r) => r.group === group && r.version === version && r.kind === kind);
  if (!def) throw new Error(`k8s-standin does not serve ${apiVersion} ${kind}`);
  return def;
}

/**
 * Starts the stand-in on 127.0.0.1 with a random port.
 *
 *   const k8s = await startStandin({ namespaces: ["flink"] });
 *   const kc = k8s.writeKubeconfig(join(dir, "kubeconfig"), { namespace: "flink", user: "alice" });
 *   await execFile("kubectl", ["--kubeconfig", kc, "get", "pods"]);
 *   await k8s.close();
 */
export async function startStandin(opts: StandinOptions = {}): Promise<Standin> {
  const dir = mkdtempSync(join(tmpdir(), "k8s-standin-"));
  const store = new Store();
  const logs = new Logs();
  const processes = new Processes();
  const rbac = new Authorizer();
  const requests: RequestRecord[] = [];
  let url = "";
  const kubeconfigs = new Map<string, string>();
  const kubelet = new Kubelet(store, logs, processes, {
    baseEnv: opts.env ?? process.env,
    cwd: opts.cwd ?? process.cwd(),
    imageBehaviour: opts.imageBehaviour,
    runBarePods: opts.runBarePods ?? false,
    maxGraceSeconds: opts.maxGraceSeconds ?? 2,
    kubeconfigFor: (user, namespace) => {
      const k = `${user}\n${namespace}`;
      let p = kubeconfigs.get(k);
      if (!p) {
        p = writeKubeconfig(join(dir, `kubeconfig-${kubeconfigs.size}.json`), url, {
          context: "in-cluster",
          user,
          namespace,
        });
        kubeconfigs.set(k, p);
      }
      return p;
    },
  });
  const jobs = new JobController(store, kubelet);
  const api = new ApiServer({
    store,
    logs,
    processes,
    rbac,
    kubelet,
    requests,
    execKillOnDisconnect: opts.execKillOnDisconnect ?? false,
    trace: opts.trace,
  });

  for (const ns of ["default", "kube-system", "kube-public", ...(opts.namespaces ?? [])])
    api.create(NAMESPACES, undefined, { metadata: { name: ns } });

  const server = createServer((req, res) => void api.handle(req, res));
  // Upgraded (exec) sockets are no longer the HTTP server's to close.
  const upgraded = new Set<import("node:stream").Duplex>();
  server.on("upgrade", (req, socket, head) => {
    upgraded.add(socket);
    socket.on("close", () => upgraded.delete(socket));
    api.upgrade(req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  api.setBaseUrl(url);

  return {
    url,
    port,
    store,
    rbac,
    requests,
    writeKubeconfig: (path, o) => writeKubeconfig(path, url, o),
    deny: (rule) => rbac.deny(rule),
    allowOnly: (user, rules) => rbac.allowOnly(user, rules),
    create: (obj) => {
      const def = defFor(obj.apiVersion ?? "", obj.kind ?? "");
      return api.create(def, def.namespaced ? (obj.metadata.namespace ?? "default") : undefined, obj);
    },
    get: (apiVersion, kind, ns, name) => store.get(defFor(apiVersion, kind), ns, name),
    list: (apiVersion, kind, ns) => store.list(defFor(apiVersion, kind), ns),
    delete: async (apiVersion, kind, ns, name, propagationPolicy = "Background") => {
      await api.deleteObject(defFor(apiVersion, kind), ns, name, { propagationPolicy });
    },
    appendLog: (ns, pod, container, text) => logs.append(ns, pod, container, text),
    close: async () => {
      jobs.stop();
      server.closeAllConnections();
      for (const s of upgraded) s.destroy();
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), processes.killAll()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
