// ProfilingAdmissionPolicy, which 01 turned on (stack config admissionPolicy: true): the real API server
// admits the profiling Job as the template makes it and refuses every other use of the runner account
// and of the right to create Jobs. Every earlier file's profiles ran under it. Server-side dry runs: the
// API server runs admission in full and keeps nothing.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  parseTemplate,
  renderProfilingJob,
  TEMPLATE_KEY,
  type ProfilingJobTemplate,
} from "../../components/profiling-job.ts";
import { templateConfigMapName } from "../../components/profiling-names.ts";
import {
  CLUSTER,
  NAMESPACE,
  RUNNER_ACCOUNT,
  adminJson,
  adminKubeconfig,
  kubectl,
  personKubeconfig,
  taskManagerPods,
} from "./support.ts";

let template: ProfilingJobTemplate;
let goodJob: any;
let jobManagerPod: string;
beforeAll(async () => {
  const cm = await adminJson(["-n", NAMESPACE, "get", "configmap", templateConfigMapName(CLUSTER)]);
  template = parseTemplate(cm.data[TEMPLATE_KEY]);
  const [pod] = await taskManagerPods();
  goodJob = renderProfilingJob(template, {
    namespace: NAMESPACE,
    pod: pod!,
    runId: "admission-check",
    helperArgs: ["--duration", "5"],
  });
  const jms = await adminJson(["-n", NAMESPACE, "get", "pods", "-l", `app=${CLUSTER},component=jobmanager`]);
  jobManagerPod = jms.items[0].metadata.name;
});

/** `kubectl create --dry-run=server` of an object as someone; the API server's answer. */
async function tryCreate(kubeconfig: string, object: unknown) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "admission-")), "object.json");
  writeFileSync(file, JSON.stringify(object));
  return kubectl(kubeconfig, ["create", "--dry-run=server", "-f", file, "-o", "name"]);
}

const copy = <T>(o: T): T => structuredClone(o);
const podSpec = (job: any) => job.spec.template.spec;

describe("with ProfilingAdmissionPolicy", () => {
  it("a profiler's Job as the template makes it is admitted", async () => {
    const r = await tryCreate(personKubeconfig("alice"), goodJob);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`job.batch/${goodJob.metadata.name}`);
  });

  const refused: [string, (job: any) => void, RegExp][] = [
    [
      "runs a shell with the runner account",
      (j) =>
        (podSpec(j).containers[0].command = ["sh", "-c", "cat /var/run/secrets/kubernetes.io/serviceaccount/token"]),
      /runs only: kubectl exec --namespace flink-e2e <TaskManager pod> --container taskmanager -- flink-profiler/,
    ],
    [
      "points the runner at the JobManager",
      (j) => (podSpec(j).containers[0].command[4] = jobManagerPod),
      /runs only: kubectl exec/,
    ],
    [
      "adds an environment variable",
      (j) => podSpec(j).containers[0].env.push({ name: "KUBECONFIG", value: "/tmp/x" }),
      /no environment but HOME=\/tmp/,
    ],
    [
      "uses another image",
      (j) => (podSpec(j).containers[0].image = "flink-profiling.local/busybox-standin:1.35.0"),
      /runner image/,
    ],
    [
      "adds a second container",
      (j) => podSpec(j).containers.push({ ...podSpec(j).containers[0], name: "second" }),
      /exactly one container/,
    ],
    [
      "mounts a Secret, under another account",
      (j) => {
        podSpec(j).serviceAccountName = "default";
        podSpec(j).volumes.push({ name: "stolen", secret: { secretName: "anything" } });
        podSpec(j).containers[0].volumeMounts.push({ name: "stolen", mountPath: "/stolen" });
      },
      new RegExp(`runs as the runner service account ${RUNNER_ACCOUNT}`),
    ],
  ];
  for (const [what, change, message] of refused) {
    it(`a profiler's Job that ${what} is refused, saying why`, async () => {
      const job = copy(goodJob);
      change(job);
      const r = await tryCreate(personKubeconfig("alice"), job);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        /ValidatingAdmissionPolicy 'flink-profiling-flink-e2e-profiling-peoples-jobs'.* denied request/,
      );
      expect(r.stderr).toMatch(message);
    });
  }

  it("a pod with the runner account is refused even to an admin, unless it is the Job's", async () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "not-a-profile", namespace: NAMESPACE },
      spec: copy(podSpec(goodJob)),
    };
    expect((await tryCreate(adminKubeconfig, pod)).code).toBe(0);
    pod.spec.containers[0].command = ["kubectl", "exec", "--namespace", NAMESPACE, jobManagerPod, "--", "sh"];
    const r = await tryCreate(adminKubeconfig, pod);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /ValidatingAdmissionPolicy 'flink-profiling-flink-e2e-profiling-runner-pods'.* denied request: .*runs only: kubectl exec/,
    );
  });

  it("an admin's own Jobs under other accounts are not its business", async () => {
    const job = copy(goodJob);
    podSpec(job).serviceAccountName = "default";
    podSpec(job).containers[0].command = ["sh", "-c", "true"];
    const r = await tryCreate(adminKubeconfig, job);
    expect(r.code, r.stderr).toBe(0);
  });
});
