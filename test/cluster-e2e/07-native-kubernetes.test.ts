// A Flink cluster that Flink itself makes, in native Kubernetes mode: Flink's own session client
// (KubernetesSessionCli, from flink-kubernetes on Maven Central) creates the JobManager Deployment in the
// restricted namespace, the JobManager creates the TaskManager pods when the sample job asks for slots,
// `pulumi up` with `nativeClusters` gives alice access, and she profiles its TaskManagers as she does ours.
// The images are the ones 01 deployed: the stand-in base has its own bin/kubernetes-*.sh (flink-dist's
// scripts are not on Maven Central; cluster/images/flink-base-standin/README.md).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { profilingReadyNativeMode } from "../../components/flink-deployment.ts";
import { parseTemplate, renderProfilingJob, TEMPLATE_KEY } from "../../components/profiling-job.ts";
import { profilingObjectNames, templateConfigMapName } from "../../components/profiling-names.ts";
import {
  CLUSTER,
  NAMESPACE,
  STACK,
  cancelJobs,
  admin,
  adminJson,
  adminKubeconfig,
  importedImages,
  javaMain,
  kubectl,
  leftovers,
  personKubeconfig,
  profileCli,
  pulumi,
  repoRoot,
  stackConfigFile,
  submitSampleJob,
  taskManagerPods,
  waitFor,
} from "./support.ts";

/** kubernetes.cluster-id: names the JobManager Deployment, its services, and the TaskManager pods. */
const NATIVE = "orders-native";
const JOBMANAGER_ACCOUNT = `${NATIVE}-jobmanager`;

let alice: string;
/** The client's configuration, pod template and kubeconfig-free files; removed at the end. */
let work: string;
beforeAll(() => {
  alice = personKubeconfig("alice");
  work = mkdtempSync(path.join(tmpdir(), "e2e-native-"));
});

// What Flink's JobManager needs in native mode (Flink's docs grant the `edit` ClusterRole; this is less):
// it creates, watches and deletes its TaskManager pods, and reads its own Deployment to own them.
const jobManagerAccess = [
  { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: JOBMANAGER_ACCOUNT, namespace: NAMESPACE } },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: JOBMANAGER_ACCOUNT, namespace: NAMESPACE },
    rules: [
      { apiGroups: [""], resources: ["pods"], verbs: ["create", "delete", "get", "list", "watch"] },
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"] },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: JOBMANAGER_ACCOUNT, namespace: NAMESPACE },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: JOBMANAGER_ACCOUNT },
    subjects: [{ kind: "ServiceAccount", name: JOBMANAGER_ACCOUNT, namespace: NAMESPACE }],
  },
];

async function applyAsAdmin(objects: unknown[], verb: "apply" | "delete") {
  const file = path.join(work, "objects.json");
  writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
  await admin(verb === "apply" ? ["apply", "-f", file] : ["delete", "--ignore-not-found", "--wait=false", "-f", file]);
}

async function nativePods(component: "jobmanager" | "taskmanager"): Promise<any[]> {
  return (
    await adminJson<{ items: any[] }>(["-n", NAMESPACE, "get", "pods", "-l", `app=${NATIVE},component=${component}`])
  ).items.filter((p) => !p.metadata.deletionTimestamp);
}

afterAll(async () => {
  // As Flink's docs stop a session cluster: delete its Deployment; everything else it made is owned by it.
  await admin(["-n", NAMESPACE, "delete", "deployment", NATIVE, "--ignore-not-found"]);
  await applyAsAdmin(jobManagerAccess, "delete");
  await waitFor(`the pods of ${NATIVE} to be gone`, 180, async () => {
    const pods = await adminJson<{ items: any[] }>(["-n", NAMESPACE, "get", "pods", "-l", `app=${NATIVE}`]);
    return pods.items.length === 0 ? true : undefined;
  });
  rmSync(work, { recursive: true, force: true });
});

describe("a Flink cluster made by native Kubernetes mode", () => {
  it("has the machine's CPU: the other cluster's job, which the earlier files profiled, is cancelled", async () => {
    // Its TaskManagers stay; they would otherwise take a core that this cluster's JVMs need to start.
    await cancelJobs(`${CLUSTER}-rest`);
  });

  it("is started by Flink's own session client in the restricted namespace, with the pod template the components give", async () => {
    await applyAsAdmin(jobManagerAccess, "apply");
    const settings = profilingReadyNativeMode({ image: importedImages().flink, flinkVersion: "2.3" });
    const conf = path.join(work, "conf");
    mkdirSync(conf);
    // The client ships config.yaml's settings and the log4j file to the pods in a ConfigMap it makes.
    writeFileSync(path.join(conf, "config.yaml"), "# everything is given as -D options\n");
    copyFileSync(
      path.join(repoRoot, "cluster/images/flink-base-standin/conf/log4j-console.properties"),
      path.join(conf, "log4j-console.properties"),
    );
    // The client's own log: INFO to the console, which is where it says what it created.
    const clientLog = path.join(work, "client-log4j2.properties");
    writeFileSync(
      clientLog,
      "rootLogger.level = INFO\nrootLogger.appenderRef.c.ref = c\nappender.c.name = c\nappender.c.type = Console\n" +
        "appender.c.layout.type = PatternLayout\nappender.c.layout.pattern = %-5p %c{1} - %m%n\n",
    );
    const podTemplate = path.join(conf, "pod-template.yaml");
    writeFileSync(podTemplate, JSON.stringify(settings.podTemplate));
    const options: Record<string, string> = {
      ...settings.flinkConfiguration,
      "kubernetes.cluster-id": NATIVE,
      "kubernetes.namespace": NAMESPACE,
      "kubernetes.config.file": adminKubeconfig,
      "kubernetes.pod-template-file.default": podTemplate,
      "kubernetes.jobmanager.service-account": JOBMANAGER_ACCOUNT,
      "kubernetes.rest-service.exposed.type": "ClusterIP",
      "taskmanager.numberOfTaskSlots": "1",
      "jobmanager.memory.process.size": "1024m",
      "taskmanager.memory.process.size": "1536m",
      // Two cores in all, 1.5 of them requested by the other cluster: small requests, room to burst.
      "kubernetes.jobmanager.cpu.amount": "0.2",
      "kubernetes.jobmanager.cpu.limit-factor": "5",
      "kubernetes.taskmanager.cpu.amount": "0.1",
      "kubernetes.taskmanager.cpu.limit-factor": "5",
    };
    const classpath = readFileSync(path.join(repoRoot, ".cache/flink/classpath.txt"), "utf8").trim();
    const out = await javaMain(
      classpath,
      "org.apache.flink.kubernetes.cli.KubernetesSessionCli",
      Object.entries(options).map(([k, v]) => `-D${k}=${v}`),
      { env: { FLINK_CONF_DIR: conf }, jvm: [`-Dlog4j.configurationFile=file:${clientLog}`] },
    );
    expect(out).toMatch(new RegExp(`Create flink session cluster ${NATIVE} successfully`));

    await admin(["-n", NAMESPACE, "wait", "--for=condition=Available", `deployment/${NATIVE}`, "--timeout=300s"]);
    const [jm] = await nativePods("jobmanager");
    expect(jm.spec.containers[0].name).toBe("flink-main-container");
    expect(jm.spec.securityContext.runAsUser).toBe(9999);
  });

  it("starts TaskManager pods, named by Flink, when the sample job asks for slots", async () => {
    await submitSampleJob(`${NATIVE}-rest`, 2);
    const pods = await taskManagerPods(NATIVE);
    expect(pods).toHaveLength(2);
    for (const pod of pods) expect(pod).toMatch(new RegExp(`^${NATIVE}-taskmanager-\\d+-\\d+$`));
  });

  it("gets profiling access from `pulumi up` with nativeClusters", async () => {
    const set = await pulumi([
      "config",
      "set",
      "--stack",
      STACK,
      "--config-file",
      stackConfigFile,
      "--path",
      "flink-profiling:nativeClusters[0]",
      NATIVE,
    ]);
    expect(set.code, set.stderr).toBe(0);
    const up = await pulumi(["up", "--yes", "--skip-preview", "--stack", STACK, "--config-file", stackConfigFile]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    await adminJson(["-n", NAMESPACE, "get", "configmap", templateConfigMapName(NATIVE)]);
  });

  it("alice, with only the profiler Roles, gets a flame graph of each of its TaskManagers naming the hot method", async () => {
    const out = path.join(work, "profiles");
    const r = await profileCli([
      "--kubeconfig",
      alice,
      "-n",
      NAMESPACE,
      "--cluster",
      NATIVE,
      "-d",
      "10",
      "--format",
      "collapsed",
      "-o",
      out,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.targets.map((t: any) => t.target).sort()).toEqual(await taskManagerPods(NATIVE));
    for (const t of doc.targets) {
      expect(t.status, JSON.stringify(t)).toBe("ok");
      expect(t.pid).toBeGreaterThan(0);
      expect(readFileSync(t.files[0], "utf8")).toMatch(/com\/example\/orders\/OrderJsonEncoder\.(encode|escape)/);
    }
    expect(await leftovers()).toEqual([]);
  });

  it("its runner account cannot be pointed at its JobManager, whose token may create pods", async () => {
    const cm = await adminJson(["-n", NAMESPACE, "get", "configmap", templateConfigMapName(NATIVE)]);
    const template = parseTemplate(cm.data[TEMPLATE_KEY]);
    expect(template.serviceAccountName).toBe(profilingObjectNames(NATIVE).serviceAccount);
    const [jm] = await nativePods("jobmanager");
    const [tm] = await taskManagerPods(NATIVE);
    const job = renderProfilingJob(template, {
      namespace: NAMESPACE,
      pod: tm!,
      runId: "native-admission",
      helperArgs: ["--duration", "5"],
    });
    const file = path.join(work, "job.json");
    writeFileSync(file, JSON.stringify(job));
    const good = await kubectl(alice, ["create", "--dry-run=server", "-f", file, "-o", "name"]);
    expect(good.code, good.stderr).toBe(0);
    (job as any).spec.template.spec.containers[0].command[4] = jm.metadata.name;
    writeFileSync(file, JSON.stringify(job));
    const bad = await kubectl(alice, ["create", "--dry-run=server", "-f", file, "-o", "name"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(
      new RegExp(
        `ValidatingAdmissionPolicy 'flink-profiling-${NAMESPACE}-native-${NATIVE}-peoples-jobs'.* denied request`,
      ),
    );
    expect(bad.stderr).toMatch(
      /runs only: kubectl exec --namespace flink-e2e <TaskManager pod> --container flink-main-container/,
    );
  });

  it("loses its access when `pulumi up` drops it, and the other cluster's access keeps working", async () => {
    const rm = await pulumi([
      "config",
      "rm",
      "--stack",
      STACK,
      "--config-file",
      stackConfigFile,
      "flink-profiling:nativeClusters",
    ]);
    expect(rm.code, rm.stderr).toBe(0);
    const up = await pulumi(["up", "--yes", "--skip-preview", "--stack", STACK, "--config-file", stackConfigFile]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const names = profilingObjectNames(NATIVE);
    const left = await admin(["-n", NAMESPACE, "get", "serviceaccounts,roles,rolebindings,configmaps", "-o", "name"]);
    for (const name of [names.serviceAccount, names.profilerRole, names.templateConfigMap])
      expect(left).not.toContain(`/${name}\n`);
    const policies = await admin(["get", "validatingadmissionpolicies", "-o", "name"]);
    expect(policies).not.toContain(`-native-${NATIVE}-`);

    const refused = await profileCli(["--kubeconfig", alice, "-n", NAMESPACE, "--cluster", NATIVE, "-d", "5"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(new RegExp(`${names.templateConfigMap}`));
    // The first cluster's job was cancelled above: its idle TaskManagers still give a profile each. Wall-clock
    // sampling, because an idle JVM can give a cpu/ctimer profile no sample in 5 s (seen once in CI).
    const ours = await profileCli([
      "--kubeconfig",
      alice,
      "-n",
      NAMESPACE,
      "--cluster",
      CLUSTER,
      "-d",
      "5",
      "-e",
      "wall",
      "--format",
      "collapsed",
      "-o",
      path.join(work, "ours"),
      "--json",
    ]);
    expect(ours.code, ours.stderr).toBe(0);
    const doc = JSON.parse(ours.stdout);
    expect(doc.targets.map((t: any) => [t.target, t.status])).toEqual(
      (await taskManagerPods()).map((pod) => [pod, "ok"]),
    );
    expect(await leftovers()).toEqual([]);
  });
});
