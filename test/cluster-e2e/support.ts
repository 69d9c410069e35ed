// The end-to-end tier's view of the local real cluster (cluster/up.sh): where its files are, and how a
// person, an admin and Pulumi reach it. Every call runs the real binaries; nothing here is simulated.
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { profilingObjectNames } from "../../components/profiling-names.ts";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
/** Namespace and FlinkCluster name of the stack this tier deploys (components/program.ts names it "flink"). */
export const NAMESPACE = "flink-e2e";
export const CLUSTER = "flink";
/** The profiling Job's service account, named after the cluster by ProfilingAccess (components/profiling-names.ts). */
export const RUNNER_ACCOUNT = profilingObjectNames(CLUSTER).serviceAccount;
export const STACK = "e2e";

/** A value the cluster scripts compute (cluster/lib/common.sh), so there is one source for each. */
function fromClusterScripts(expression: string): string {
  return execFileSync("bash", ["-c", `source cluster/lib/common.sh; ${expression}`], {
    cwd: repoRoot,
    encoding: "utf8",
  }).trim();
}

export const state = fromClusterScripts('echo "$FP_STATE"');
export const adminKubeconfig = path.join(state, "kubeconfig");
export const kubectlBin = path.join(fromClusterScripts("fp_go_bin kubernetes"), "kubectl");
/** This tier's own files (Pulumi's backend and stack config, outputs); removed by cluster/down.sh. */
export const workDir = path.join(state, "e2e");
mkdirSync(workDir, { recursive: true });

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function run(
  file: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, ...opts.env },
      maxBuffer: 256 << 20,
      timeout: opts.timeoutMs ?? 300_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : null, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** kubectl as the person whose kubeconfig this is. */
export function kubectl(kubeconfig: string, args: string[]): Promise<Run> {
  return run(kubectlBin, ["--kubeconfig", kubeconfig, ...args]);
}

/** kubectl as the cluster admin; throws with kubectl's own message on failure. */
export async function admin(args: string[]): Promise<string> {
  const r = await kubectl(adminKubeconfig, args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

export async function adminJson<T = any>(args: string[]): Promise<T> {
  return JSON.parse(await admin([...args, "-o", "json"])) as T;
}

/** A client-certificate kubeconfig for a person (cluster/user.sh): authenticated, with no rights of its own. */
export function personKubeconfig(name: string, groups: string[] = []): string {
  return execFileSync("bash", ["cluster/user.sh", name, ...groups], { cwd: repoRoot, encoding: "utf8" }).trim();
}

/** `node scripts/profile.mjs ARGS` with the pinned kubectl, as a person would run it. */
export function profileCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return run(process.execPath, [path.join(repoRoot, "scripts/profile.mjs"), ...args], {
    env: { FLINK_PROFILING_KUBECTL: kubectlBin, ...env },
    timeoutMs: 600_000,
  });
}

/** The same, started in the background (for Ctrl-C and mid-run tests). */
export function spawnProfileCli(args: string[]) {
  return spawn(process.execPath, [path.join(repoRoot, "scripts/profile.mjs"), ...args], {
    cwd: repoRoot,
    env: { ...process.env, FLINK_PROFILING_KUBECTL: kubectlBin },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** The images cluster/up.sh imported into containerd (cluster/build-images.sh prints their references). */
export function importedImages(): { flink: string; runner: string } {
  const refs = readFileSync(path.join(state, "images"), "utf8").trim().split(/\s+/);
  const find = (repository: string) => {
    const ref = refs.find((r) => r.split(":")[0]!.endsWith(`/${repository}`));
    if (!ref) throw new Error(`no ${repository} image among the imported ones: ${refs.join(" ")}`);
    return ref;
  };
  return { flink: find("flink-profiling"), runner: find("flink-profiler-runner") };
}

/** Pods of the run, Jobs of the run: what a profile may leave behind. */
export async function leftovers(): Promise<string[]> {
  const jobs = await adminJson<{ items: any[] }>(["-n", NAMESPACE, "get", "jobs"]);
  const pods = await adminJson<{ items: any[] }>(["-n", NAMESPACE, "get", "pods", "-l", "flink-profiling/run-id"]);
  return [...jobs.items, ...pods.items]
    .filter((o) => !o.metadata.deletionTimestamp)
    .map((o) => `${o.kind}/${o.metadata.name}`);
}

/** The TaskManager pods of a Flink cluster (ours by default; native mode labels its pods the same way). */
export async function taskManagerPods(cluster = CLUSTER): Promise<string[]> {
  const pods = await adminJson<{ items: any[] }>([
    "-n",
    NAMESPACE,
    "get",
    "pods",
    "-l",
    `app=${cluster},component=taskmanager`,
  ]);
  return pods.items
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name)
    .sort();
}

/**
 * Submits a job of the sample jar to a Flink cluster's REST service with Flink's own client (the orders
 * job's SubmitOrdersJob by default) and waits until every task runs. Returns the job id.
 */
export async function submitSampleJob(
  restService: string,
  parallelism: number,
  mainClass = "com.example.orders.SubmitOrdersJob",
): Promise<string> {
  return withRestApi(restService, async (port) => {
    const cache = path.join(repoRoot, ".cache/flink");
    const classpath = `${path.join(cache, "orders-job.jar")}:${readFileSync(path.join(cache, "classpath.txt"), "utf8").trim()}`;
    const submit = await javaMain(classpath, mainClass, [
      "--host",
      "127.0.0.1",
      "--rest-port",
      String(port),
      "--parallelism",
      String(parallelism),
    ]);
    const jobId = /JobID ([0-9a-f]{32})/.exec(submit)?.[1];
    if (!jobId) throw new Error(`no job id in the submission's output: ${submit.slice(-3000)}`);
    await waitFor("the job's tasks to run", 240, async () => {
      const job = (await (await fetch(`http://127.0.0.1:${port}/jobs/${jobId}`)).json()) as any;
      return job.state === "RUNNING" && job.vertices.every((v: any) => v.status === "RUNNING") ? true : undefined;
    });
    return jobId;
  });
}

/** Cancels every running job of a Flink cluster (its TaskManagers stay), and waits until none runs. */
export async function cancelJobs(restService: string): Promise<void> {
  await withRestApi(restService, async (port) => {
    const api = `http://127.0.0.1:${port}`;
    const running = async () =>
      ((await (await fetch(`${api}/jobs`)).json()) as any).jobs.filter((j: any) => j.status === "RUNNING");
    for (const job of await running()) await fetch(`${api}/jobs/${job.id}?mode=cancel`, { method: "PATCH" });
    await waitFor(`the jobs of ${restService} to be cancelled`, 120, async () =>
      (await running()).length === 0 ? true : undefined,
    );
  });
}

/**
 * Runs `use(port)` with a port-forward, as the admin, to a Flink cluster's REST service: how a person
 * deploying a job reaches it. Waits first until the REST API answers (a JobManager pod is ready before it
 * listens; native mode's has no readiness probe).
 */
export async function withRestApi<T>(restService: string, use: (port: number) => Promise<T>): Promise<T> {
  await waitFor(`the REST API of ${restService} to answer`, 300, async () => {
    JSON.parse(
      await admin(["get", "--raw", `/api/v1/namespaces/${NAMESPACE}/services/${restService}:8081/proxy/overview`]),
    );
    return true;
  });
  const forward = spawn(
    kubectlBin,
    [
      "--kubeconfig",
      adminKubeconfig,
      "-n",
      NAMESPACE,
      "port-forward",
      `svc/${restService}`,
      ":8081",
      "--address",
      "127.0.0.1",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  try {
    const port = await new Promise<number>((ok, fail) => {
      let out = "";
      forward.stdout.on("data", (d) => {
        out += d;
        const m = /127\.0\.0\.1:(\d+) ->/.exec(out);
        if (m) ok(Number(m[1]));
      });
      forward.on("exit", () => fail(new Error(`port-forward exited: ${out}`)));
    });
    return await use(port);
  } finally {
    forward.kill();
  }
}

/** `java -cp CLASSPATH MAIN ARGS` with a small heap; its output, or an error with the output's end. */
export function javaMain(
  classpath: string,
  main: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; jvm?: string[] } = {},
): Promise<string> {
  return new Promise<string>((ok, fail) => {
    const java = spawn("java", ["-Xmx256m", ...(opts.jvm ?? []), "-cp", classpath, main, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...opts.env },
    });
    let out = "";
    java.stdout.on("data", (d) => (out += d));
    java.stderr.on("data", (d) => (out += d));
    java.on("exit", (code) => (code === 0 ? ok(out) : fail(new Error(`${main} exited ${code}: ${out.slice(-3000)}`))));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value, or fails naming what it waited for. */
export async function waitFor<T>(what: string, seconds: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(1000);
  }
  throw new Error(`timed out after ${seconds}s waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

let pulumiBinDir: string | undefined;

/** `pulumi ARGS` with the CLI, language host and provider built from Go modules (cluster/build-pulumi.sh),
 * a file backend in this tier's folder, no plugin downloads, and the admin's kubeconfig. */
export function pulumi(args: string[]): Promise<Run> {
  pulumiBinDir ??= execFileSync("bash", ["cluster/build-pulumi.sh"], { cwd: repoRoot, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  const backend = path.join(workDir, "pulumi-backend");
  mkdirSync(backend, { recursive: true });
  return run(path.join(pulumiBinDir, "pulumi"), [...args, "--non-interactive"], {
    env: {
      PATH: `${pulumiBinDir}:${path.join(repoRoot, "node_modules/.bin")}:${process.env.PATH}`,
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_HOME: path.join(workDir, "pulumi-home"),
      PULUMI_CONFIG_PASSPHRASE: "local-e2e-only",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      KUBECONFIG: adminKubeconfig,
    },
    timeoutMs: 900_000,
  });
}

/** The stack's config file, kept out of the repository (a `Pulumi.e2e.yaml` there would be committed). */
export const stackConfigFile = path.join(workDir, `Pulumi.${STACK}.yaml`);

/** What `flink-profiler status` says inside each TaskManager: is a profile running there? */
export async function activeProfiles(): Promise<string[]> {
  const active: string[] = [];
  for (const pod of await taskManagerPods()) {
    const out = await admin(["-n", NAMESPACE, "exec", pod, "-c", "taskmanager", "--", "flink-profiler", "status"]);
    if (out.split("\n").some((l) => l.trim() && JSON.parse(l).active === true)) active.push(pod);
  }
  return active;
}

// Lists the helper's profile runs in a TaskManager container from /proc. The pattern is written so that
// this script's own command line does not match it.
const LIST_HELPER_RUNS = `for d in /proc/[0-9]*; do
  c=$(tr '\\0' ' ' < "$d/cmdline" 2>/dev/null) || continue
  case $c in *flink-profiler[[:space:]]profile*) echo "\${d#/proc/} $c" ;; esac
done`;

/** The helper processes running a profile in each TaskManager, as "pod: pid command line". */
export async function helperRuns(): Promise<string[]> {
  const runs: string[] = [];
  for (const pod of await taskManagerPods()) {
    const out = await admin(["-n", NAMESPACE, "exec", pod, "-c", "taskmanager", "--", "sh", "-c", LIST_HELPER_RUNS]);
    for (const line of out.split("\n")) if (line.trim()) runs.push(`${pod}: ${line.trim()}`);
  }
  return runs;
}

/** Waits until no profile and no helper run is left in any TaskManager, so a test starts from a quiet cluster. */
export async function waitQuiet(what: string, seconds: number): Promise<void> {
  await waitFor(what, seconds, async () => {
    const runs = await helperRuns();
    if (runs.length > 0) throw new Error(`still running: ${runs.join("; ")}`);
    const active = await activeProfiles();
    if (active.length > 0) throw new Error(`a profile still runs in ${active.join(", ")}`);
    return true;
  });
}

/** Runs profile.mjs in the background until `ready` matches its stderr, then returns the process. */
export async function startedProfile(args: string[], ready: RegExp) {
  const child = spawnProfileCli(args);
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
  await waitFor(`profile.mjs to print ${ready}`, 180, async () => (ready.test(stderr) ? true : undefined));
  return { child, exited, stderr: () => stderr };
}
