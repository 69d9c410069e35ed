// Drives the real kubectl binary against the Kubernetes API stand-in (test/k8s-standin).
// Every kubectl call is asynchronous: the stand-in lives in this process, so a blocking
// child_process call would deadlock it.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandin, type Standin } from "./k8s-standin/index.ts";

type Result = { code: number | null; stdout: string; stderr: string };

let k8s: Standin;
let dir: string;
let kubeconfig: string;

function kubectl(args: string[], opts: { input?: string; kubeconfig?: string } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn("kubectl", ["--kubeconfig", opts.kubeconfig ?? kubeconfig, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}

async function ok(args: string[], opts?: { input?: string; kubeconfig?: string }): Promise<string> {
  const r = await kubectl(args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const json = (o: unknown) => JSON.stringify(o);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function pidFromLog(pod: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const m = /pid (\d+)/.exec(await ok(["logs", pod]).catch(() => ""));
    if (m) return Number(m[1]);
    await sleep(100);
  }
  throw new Error(`no pid in the log of ${pod}`);
}

function taskManagerPod(
  name: string,
  labels: Record<string, string>,
  env: Array<{ name: string; value: string }> = [],
) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels },
    spec: { containers: [{ name: "flink-main-container", image: "flink:1.20", env }] },
  };
}

function job(
  name: string,
  script: string,
  extra: { activeDeadlineSeconds?: number; serviceAccountName?: string; labels?: Record<string, string> } = {},
) {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels: extra.labels ?? {} },
    spec: {
      backoffLimit: 0,
      ...(extra.activeDeadlineSeconds ? { activeDeadlineSeconds: extra.activeDeadlineSeconds } : {}),
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "profiler" } },
        spec: {
          restartPolicy: "Never",
          ...(extra.serviceAccountName ? { serviceAccountName: extra.serviceAccountName } : {}),
          containers: [{ name: "profiler", image: "flink-profiling:test", command: ["sh", "-c", script] }],
        },
      },
    },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "k8s-standin-test-"));
  k8s = await startStandin({
    namespaces: ["flink"],
    imageBehaviour: (image) => (image.startsWith("registry.invalid/") ? { reason: "ImagePullBackOff" } : "run"),
  });
  kubeconfig = k8s.writeKubeconfig(join(dir, "kubeconfig"), {
    namespace: "flink",
    user: "alice",
    contexts: [{ name: "as-bob", user: "bob", namespace: "flink" }],
  });
});

afterAll(async () => {
  await k8s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("ConfigMaps", () => {
  it("create, get, list with label and field selectors, delete by selector", async () => {
    await ok(["create", "configmap", "cm-a", "--from-literal=k=a"]);
    await ok(["label", "configmap", "cm-a", "tier=x", "run=1"]);
    await ok(["create", "-f", "-"], {
      input: json({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "cm-b", labels: { tier: "y" } },
        data: { k: "b" },
      }),
    });
    await ok(["create", "-f", "-"], {
      input: json({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm-c" }, data: {} }),
    });

    expect(await ok(["get", "cm", "cm-a", "-o", "jsonpath={.data.k}"])).toBe("a");
    const names = async (...sel: string[]) =>
      (await ok(["get", "cm", ...sel, "-o", "name"])).trim().split("\n").filter(Boolean).sort();
    expect(await names("-l", "tier=x")).toEqual(["configmap/cm-a"]);
    expect(await names("-l", "tier!=x")).toEqual(["configmap/cm-b", "configmap/cm-c"]);
    expect(await names("-l", "tier in (x, y)")).toEqual(["configmap/cm-a", "configmap/cm-b"]);
    expect(await names("-l", "tier notin (x)")).toEqual(["configmap/cm-b", "configmap/cm-c"]);
    expect(await names("-l", "tier")).toEqual(["configmap/cm-a", "configmap/cm-b"]);
    expect(await names("-l", "!tier")).toEqual(["configmap/cm-c"]);
    expect(await names("--field-selector", "metadata.name=cm-b")).toEqual(["configmap/cm-b"]);

    // Human-readable output comes from server-side Tables.
    expect(await ok(["get", "cm", "cm-a"])).toMatch(/^NAME\s+DATA\s+AGE\ncm-a\s+1\s+\d+s\n$/);

    const before = Number(await ok(["get", "cm", "cm-b", "-o", "jsonpath={.metadata.resourceVersion}"]));
    await ok(["label", "cm", "cm-b", "changed=yes"]);
    expect(Number(await ok(["get", "cm", "cm-b", "-o", "jsonpath={.metadata.resourceVersion}"]))).toBeGreaterThan(
      before,
    );

    const dup = await kubectl(["create", "configmap", "cm-a"]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('configmaps "cm-a" already exists');

    expect(await ok(["delete", "cm", "-l", "tier in (x,y)"])).toContain('configmap "cm-a" deleted');
    expect(await names()).toEqual(["configmap/cm-c"]);
    const gone = await kubectl(["get", "cm", "cm-a"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('Error from server (NotFound): configmaps "cm-a" not found');
    await ok(["delete", "cm", "cm-c"]);
  });

  it("deletecollection honours label selectors", async () => {
    for (const [name, tier] of [
      ["dc-1", "x"],
      ["dc-2", "x"],
      ["dc-3", "y"],
    ])
      await ok(["create", "-f", "-"], {
        input: json({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels: { dc: "yes", tier } } }),
      });
    await ok(["delete", "--raw", "/api/v1/namespaces/flink/configmaps?labelSelector=dc%3Dyes%2Ctier%20in%20(x)"]);
    expect((await ok(["get", "cm", "-l", "dc=yes", "-o", "name"])).trim()).toBe("configmap/dc-3");
    await ok(["delete", "cm", "dc-3"]);
  });

  it("creating in a namespace that does not exist is a 404 like the real server", async () => {
    const r = await kubectl(["-n", "no-such-ns", "create", "-f", "-"], {
      input: json({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('namespaces "no-such-ns" not found');
  });
});

describe("Pods", () => {
  it("create, list by selector, delete", async () => {
    await ok(["create", "-f", "-"], {
      input: json(taskManagerPod("pod-a", { component: "taskmanager", cluster: "orders" })),
    });
    await ok(["create", "-f", "-"], {
      input: json(taskManagerPod("pod-b", { component: "jobmanager", cluster: "orders" })),
    });
    expect((await ok(["get", "pods", "-l", "cluster=orders,component=taskmanager", "-o", "name"])).trim()).toBe(
      "pod/pod-a",
    );
    expect(await ok(["get", "pod", "pod-a", "-o", "jsonpath={.status.phase}"])).toBe("Running");
    expect(await ok(["get", "pods", "-l", "cluster=orders"])).toMatch(/pod-a\s+1\/1\s+Running/);
    await ok(["delete", "pods", "-l", "cluster=orders"]);
    expect((await ok(["get", "pods", "-l", "cluster=orders", "-o", "name"])).trim()).toBe("");
  });

  it("a pod whose image cannot be pulled stays Pending with a reason and events", async () => {
    await ok(["create", "-f", "-"], {
      input: json({
        ...taskManagerPod("pull-fail", {}),
        spec: { containers: [{ name: "c", image: "registry.invalid/x:1" }] },
      }),
    });
    await until(
      "ImagePullBackOff",
      () =>
        k8s.get("v1", "Pod", "flink", "pull-fail")?.status?.containerStatuses?.[0]?.state?.waiting?.reason ===
        "ImagePullBackOff",
    );
    expect(await ok(["get", "pod", "pull-fail"])).toMatch(/pull-fail\s+0\/1\s+ImagePullBackOff/);
    const events = await ok([
      "get",
      "events",
      "--field-selector",
      "involvedObject.name=pull-fail,involvedObject.kind=Pod",
      "-o",
      "jsonpath={range .items[*]}{.reason}{'\\n'}{end}",
    ]);
    expect(events.split("\n")).toContain("BackOff");
    const logs = await kubectl(["logs", "pull-fail"]);
    expect(logs.code).toBe(1);
    expect(logs.stderr).toContain("is waiting to start");
    await ok(["delete", "pod", "pull-fail"]);
  });
});

describe("exec", () => {
  beforeAll(async () => {
    await ok(["create", "-f", "-"], {
      input: json(
        taskManagerPod("tm-exec", { component: "taskmanager" }, [
          { name: "FLINK_PROFILER_PID", value: "4242" },
          { name: "DERIVED", value: "pid=$(FLINK_PROFILER_PID)" },
        ]),
      ),
    });
  });

  it("passes arguments verbatim, without a shell", async () => {
    const arg = "a b;$(x) `y` 'q' \"d\" *";
    expect(await ok(["exec", "tm-exec", "--", "printf", "%s", arg])).toBe(arg);
  });

  it("runs with the container env from the pod spec", async () => {
    expect(await ok(["exec", "tm-exec", "--", "sh", "-c", 'printf "%s|%s" "$FLINK_PROFILER_PID" "$DERIVED"'])).toBe(
      "4242|pid=4242",
    );
  });

  it("pipes stdin and propagates the exit code", async () => {
    const r = await kubectl(["exec", "-i", "tm-exec", "--", "sh", "-c", "cat; echo err >&2; exit 3"], {
      input: "hello\nworld\n",
    });
    expect(r.stdout).toBe("hello\nworld\n");
    expect(r.stderr).toContain("err\n");
    expect(r.stderr).toContain("command terminated with exit code 3");
    expect(r.code).toBe(3);
  });

  it("a command missing from the image fails like containerd's exec", async () => {
    const r = await kubectl(["exec", "tm-exec", "--", "no-such-helper", "--version"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('exec: "no-such-helper": executable file not found in $PATH');
  });

  it("a process keeps running when the client disconnects", async () => {
    const marker = join(dir, "exec-survived");
    const child = spawn("kubectl", [
      "--kubeconfig",
      kubeconfig,
      "exec",
      "tm-exec",
      "--",
      "sh",
      "-c",
      `echo started; sleep 1; touch ${marker}`,
    ]);
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.kill("SIGKILL");
    await until("the exec'd process to finish on its own", () => existsSync(marker), 10_000);
  });

  it("exec into an unknown pod or container fails", async () => {
    const r = await kubectl(["exec", "nope", "--", "true"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pods "nope" not found');
    const c = await kubectl(["exec", "tm-exec", "-c", "sidecar", "--", "true"]);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain("container sidecar is not valid for pod tm-exec");
  });
});

describe("Jobs", () => {
  it("runs the container locally with a kubeconfig of its own; logs stream with -f", async () => {
    k8s.create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "profiler", namespace: "flink" } });
    await ok(["create", "-f", "-"], {
      input: json(taskManagerPod("tm-job", { component: "taskmanager", cluster: "jobs-test" })),
    });
    await ok(["create", "-f", "-"], {
      input: json(
        job("hello", "echo hi; sleep 0.5; kubectl get pods -l cluster=jobs-test -o name; echo done", {
          serviceAccountName: "profiler",
        }),
      ),
    });
    const logs = await ok(["logs", "-f", "job/hello", "--pod-running-timeout=20s"]);
    expect(logs).toBe("hi\npod/tm-job\ndone\n");
    await ok(["wait", "--for=condition=complete", "job/hello", "--timeout=20s"]);
    const j = JSON.parse(await ok(["get", "job", "hello", "-o", "json"]));
    expect(j.status.succeeded).toBe(1);
    expect(j.status.completionTime).toBeTruthy();
    const pods = JSON.parse(await ok(["get", "pods", "-l", "job-name=hello", "-o", "json"])).items;
    expect(pods).toHaveLength(1);
    expect(pods[0].metadata.name).toMatch(/^hello-[a-z0-9]{5}$/);
    expect(pods[0].metadata.labels["batch.kubernetes.io/job-name"]).toBe("hello");
    expect(pods[0].metadata.labels["app.kubernetes.io/name"]).toBe("profiler");
    expect(pods[0].status.phase).toBe("Succeeded");
    expect(pods[0].status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    // The Job's own kubectl acted as its service account.
    expect(
      k8s.requests.some(
        (r) =>
          r.user === "system:serviceaccount:flink:profiler" &&
          r.path === "/api/v1/namespaces/flink/pods" &&
          r.verb === "list",
      ),
    ).toBe(true);
    await ok(["delete", "job", "hello"]);
    await until("job pods gone", () =>
      k8s.list("v1", "Pod", "flink").every((p) => p.metadata.labels?.["job-name"] !== "hello"),
    );
  });

  it("a failing container fails the Job with its exit code", async () => {
    await ok(["create", "-f", "-"], { input: json(job("boom", "echo oops >&2; exit 7")) });
    await ok(["wait", "--for=condition=failed", "job/boom", "--timeout=20s"]);
    const pod = JSON.parse(await ok(["get", "pods", "-l", "job-name=boom", "-o", "json"])).items[0];
    expect(pod.status.phase).toBe("Failed");
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 7, reason: "Error" });
    expect(await ok(["logs", pod.metadata.name])).toBe("oops\n");
    expect(await ok(["get", "job", "boom", "-o", "jsonpath={.status.conditions[?(@.type=='Failed')].reason}"])).toBe(
      "BackoffLimitExceeded",
    );
    await ok(["delete", "job", "boom"]);
  });

  it("deleting a Job kills its process", async () => {
    // The kubelet turns "$$" in a command into "$" (it is the escape for "$(VAR)"), so "$$$$" is the shell's "$$".
    await ok(["create", "-f", "-"], { input: json(job("sleeper", "echo pid $$$$; exec sleep 300")) });
    const pod = await until("sleeper pod", () =>
      k8s.list("v1", "Pod", "flink").find((p) => p.metadata.labels?.["job-name"] === "sleeper"),
    );
    const pid = await pidFromLog(pod.metadata.name);
    expect(alive(pid)).toBe(true);
    await ok(["delete", "job", "sleeper"]);
    await until("the sleeper process to die", () => !alive(pid));
    await until("the sleeper pod to be gone", () => !k8s.get("v1", "Pod", "flink", pod.metadata.name));
    expect(k8s.get("batch/v1", "Job", "flink", "sleeper")).toBeUndefined();
  });

  it("foreground deletion removes the pods (and kills them) before the Job", async () => {
    await ok(["create", "-f", "-"], { input: json(job("fg", "echo pid $$$$; exec sleep 300")) });
    const pod = await until("fg pod", () =>
      k8s.list("v1", "Pod", "flink").find((p) => p.metadata.labels?.["job-name"] === "fg"),
    );
    const pid = await pidFromLog(pod.metadata.name);
    await ok(["delete", "job", "fg", "--cascade=foreground"]);
    expect(k8s.get("v1", "Pod", "flink", pod.metadata.name)).toBeUndefined();
    await until("the fg process to die", () => !alive(pid));
  });

  it("logs -f streams while the container runs, and --tail works", async () => {
    const gate = join(dir, "logs-gate");
    await ok(["create", "-f", "-"], {
      input: json(job("streamer", `echo first; while [ ! -e ${gate} ]; do sleep 0.1; done; echo second; echo third`)),
    });
    const child = spawn("kubectl", [
      "--kubeconfig",
      kubeconfig,
      "logs",
      "-f",
      "job/streamer",
      "--pod-running-timeout=20s",
    ]);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await until("the first line while the container still runs", () => out === "first\n");
    writeFileSync(gate, "");
    expect(await exited).toBe(0);
    expect(out).toBe("first\nsecond\nthird\n");
    expect(await ok(["logs", "job/streamer", "--tail=1"])).toBe("third\n");
    await ok(["delete", "job", "streamer"]);
  });

  it("a Job can exec into a TaskManager with its service account's rights, arguments intact", async () => {
    await ok(["create", "-f", "-"], {
      input: json(taskManagerPod("tm-target", { cluster: "exec-from-job" }, [{ name: "GREETING", value: "from-tm" }])),
    });
    k8s.create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "runner", namespace: "flink" } });
    const sa = "system:serviceaccount:flink:runner";
    const undo = k8s.allowOnly(sa, [
      { verb: ["get", "list"], resource: "pods" },
      { verb: "create", resource: "pods/exec" },
    ]);
    try {
      const arg = "--event=cpu;rm -rf $(HOME) `x` 'y'";
      const script = `kubectl exec tm-target -- sh -c 'printf "%s|%s" "$GREETING" "$1"' sh "${arg.replace(/[$`"\\]/g, "\\$&")}"`;
      await ok(["create", "-f", "-"], { input: json(job("execer", script, { serviceAccountName: "runner" })) });
      await ok(["wait", "--for=condition=complete", "job/execer", "--timeout=20s"]);
      // "$(HOME)" is not expanded by the kubelet: HOME is not in the container's own env.
      expect(await ok(["logs", "job/execer"])).toBe(`from-tm|${arg}`);

      await ok(["create", "-f", "-"], {
        input: json(job("lister", "kubectl get configmaps", { serviceAccountName: "runner" })),
      });
      await ok(["wait", "--for=condition=failed", "job/lister", "--timeout=20s"]);
      expect(await ok(["logs", "job/lister"])).toContain(
        `configmaps is forbidden: User "${sa}" cannot list resource "configmaps" in API group "" in the namespace "flink"`,
      );
    } finally {
      undo();
      await ok(["delete", "job", "execer", "lister"]);
    }
  });

  it("activeDeadlineSeconds fails the Job with DeadlineExceeded and kills the process", async () => {
    // The pid goes to a file: once the deadline hits, the pod (and its log) are gone.
    const pidFile = join(dir, "late.pid");
    await ok(["create", "-f", "-"], {
      input: json(job("late", `echo $$$$ > ${pidFile}; exec sleep 300`, { activeDeadlineSeconds: 2 })),
    });
    const pid = Number(await until("late pid file", () => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim()));
    expect(alive(pid)).toBe(true);
    await ok(["wait", "--for=condition=failed", "job/late", "--timeout=20s"]);
    await until("the late job's process to die", () => !alive(pid));
    expect(await ok(["get", "job", "late", "-o", "jsonpath={.status.conditions[?(@.type=='Failed')].reason}"])).toBe(
      "DeadlineExceeded",
    );
    await until("the late job's pods to be gone", () =>
      k8s.list("v1", "Pod", "flink").every((p) => p.metadata.labels?.["job-name"] !== "late"),
    );
    await ok(["delete", "job", "late"]);
  });
});

describe("RBAC and identity", () => {
  it("a denied create is a 403 with the API server's message, and nothing is created", async () => {
    const undo = k8s.deny({ user: "alice", verb: "create", resource: "jobs", group: "batch", namespace: "flink" });
    try {
      const r = await kubectl(["create", "-f", "-"], { input: json(job("denied", "true")) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'jobs.batch is forbidden: User "alice" cannot create resource "jobs" in API group "batch" in the namespace "flink"',
      );
      expect(k8s.get("batch/v1", "Job", "flink", "denied")).toBeUndefined();
      // bob (another context of the same kubeconfig) is not affected.
      await ok(["--context", "as-bob", "create", "-f", "-", "--dry-run=server"], {
        input: json(job("denied", "true")),
      });
    } finally {
      undo();
    }
  });

  it("auth can-i answers from the same rules, for subresources and --as too", async () => {
    const undo1 = k8s.deny({ user: "alice", verb: "create", resource: "pods/exec" });
    const undo2 = k8s.deny({
      user: "system:serviceaccount:flink:profiler",
      verb: "get",
      resource: "pods",
      subresource: "log",
    });
    try {
      const can = (...args: string[]) => kubectl(["auth", "can-i", ...args]);
      expect(await can("create", "pods", "--subresource=exec")).toMatchObject({ code: 1, stdout: "no\n" });
      // kubectl reads "pods/exec" as the pod named "exec", so this asks about creating pods.
      expect(await can("create", "pods/exec")).toMatchObject({ code: 0, stdout: "yes\n" });
      expect(await can("create", "pods")).toMatchObject({ code: 0, stdout: "yes\n" });
      expect(await can("create", "pods", "--subresource=exec", "--as", "bob")).toMatchObject({
        code: 0,
        stdout: "yes\n",
      });
      expect(
        await can("get", "pods", "--subresource=log", "--as", "system:serviceaccount:flink:profiler"),
      ).toMatchObject({ code: 1, stdout: "no\n" });
      expect(await can("get", "pods", "--as", "system:serviceaccount:flink:profiler")).toMatchObject({
        code: 0,
        stdout: "yes\n",
      });

      await ok(["create", "-f", "-"], { input: json(taskManagerPod("tm-rbac", {})) });
      const r = await kubectl(["exec", "tm-rbac", "--", "true"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'pods "tm-rbac" is forbidden: User "alice" cannot create resource "pods/exec" in API group "" in the namespace "flink"',
      );
    } finally {
      undo1();
      undo2();
    }
  });

  it("an unknown context is a kubectl error", async () => {
    const r = await kubectl(["--context", "no-such-context", "get", "pods"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("context was not found for specified context: no-such-context");
  });
});

describe("watches", () => {
  it("kubectl wait --for=delete sees the DELETED event", async () => {
    await ok(["create", "-f", "-"], { input: json(taskManagerPod("watched", {})) });
    const waiting = kubectl(["wait", "--for=delete", "pod/watched", "--timeout=20s"]);
    await sleep(500);
    await k8s.delete("v1", "Pod", "flink", "watched");
    const r = await waiting;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("pod/watched condition met");
  });

  it("kubectl get -w streams changes", async () => {
    const child = spawn("kubectl", ["--kubeconfig", kubeconfig, "get", "pods", "-l", "watch=me", "-w", "-o", "name"]);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    try {
      await sleep(500);
      k8s.create({
        ...taskManagerPod("w1", { watch: "me" }),
        metadata: { name: "w1", namespace: "flink", labels: { watch: "me" } },
      });
      await until("w1 in the watch output", () => out.includes("pod/w1"));
    } finally {
      child.kill();
    }
  });
});

describe("close()", () => {
  it("kills every process it started, including background children of exec'd commands", async () => {
    const other = await startStandin();
    const kc = other.writeKubeconfig(join(dir, "kubeconfig-other"));
    other.create(taskManagerPod("tm", {}));
    await until("tm running", () => other.get("v1", "Pod", "default", "tm")?.status?.phase === "Running");
    // sh exits at once; the orphaned sleep keeps the session's stdout open (as on a real node).
    const child = spawn("kubectl", ["--kubeconfig", kc, "exec", "tm", "--", "sh", "-c", "sleep 300 & echo $!"]);
    const exited = new Promise((resolve) => child.on("close", resolve));
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const pid = Number(await until("background pid", () => /^\d+\n/.test(out) && out.trim()));
    expect(alive(pid)).toBe(true);
    await other.close();
    await until("the background sleep to die", () => !alive(pid));
    await exited;
  });
});
