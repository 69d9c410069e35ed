// `pulumi up` of this repository's own program (Pulumi.yaml, components/program.ts) on the local real
// cluster, with the images cluster/build-images.sh built from images/ and imported into containerd.
import { existsSync, renameSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CLUSTER,
  NAMESPACE,
  STACK,
  admin,
  adminJson,
  importedImages,
  pulumi,
  repoRoot,
  stackConfigFile,
  submitSampleJob,
  taskManagerPods,
  waitFor,
} from "./support.ts";

const cfg = (key: string, value: string, ...extra: string[]) =>
  pulumi([
    "config",
    "set",
    "--stack",
    STACK,
    "--config-file",
    stackConfigFile,
    ...extra,
    `flink-profiling:${key}`,
    value,
  ]);

describe("pulumi up of the repository's program", () => {
  it("creates a restricted namespace and a Flink cluster from the built images", async () => {
    const images = importedImages();
    const init = await pulumi(["stack", "select", "--create", STACK]);
    expect(init.code, init.stderr).toBe(0);
    // `stack select --create` takes no --config-file and writes the passphrase salt beside Pulumi.yaml;
    // it moves to this tier's folder, where every later command reads it.
    const written = path.join(repoRoot, `Pulumi.${STACK}.yaml`);
    if (existsSync(written)) renameSync(written, stackConfigFile);
    for (const [k, v] of Object.entries({
      namespace: NAMESPACE,
      flinkVersion: "2.3",
      flinkImage: images.flink,
      runnerImage: images.runner,
      taskManagers: "2",
      slotsPerTaskManager: "1",
      // Two cores in all: JobManager and TaskManagers take 1.5 of them, profiling Jobs 50m each.
      jobManagerCpu: "500m",
      taskManagerCpu: "500m",
      jobManagerMemoryMiB: "1024",
      taskManagerMemoryMiB: "1536",
      // Every later file runs with the policy: the real profiling Jobs are admitted, others are not (06).
      admissionPolicy: "true",
    })) {
      const r = await cfg(k, v);
      expect(r.code, r.stderr).toBe(0);
    }
    expect((await cfg("profilers[0]", "alice", "--path")).code).toBe(0);

    const started = Date.now();
    const up = await pulumi(["up", "--yes", "--skip-preview", "--stack", STACK, "--config-file", stackConfigFile]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    console.log(`pulumi up: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const ns = await adminJson(["get", "namespace", NAMESPACE]);
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("runs the JobManager and TaskManagers as uid 9999 from the profiling image", async () => {
    const images = importedImages();
    await admin(["-n", NAMESPACE, "wait", "--for=condition=Ready", "pod", "-l", `app=${CLUSTER}`, "--timeout=300s"]);
    const pods = (await adminJson(["-n", NAMESPACE, "get", "pods", "-l", `app=${CLUSTER}`])).items;
    expect(pods.map((p: any) => p.metadata.labels.component).sort()).toEqual([
      "jobmanager",
      "taskmanager",
      "taskmanager",
    ]);
    for (const pod of pods) {
      const container = pod.status.containerStatuses[0];
      expect(pod.spec.containers[0].image).toBe(images.flink);
      expect(container.ready).toBe(true);
      // The id the process really runs as, read from inside the container.
      const ids = await admin(["-n", NAMESPACE, "exec", pod.metadata.name, "-c", container.name, "--", "id", "-u"]);
      expect(ids.trim()).toBe("9999");
    }
  });

  it("refuses, in that namespace, a pod that is not 'restricted'", async () => {
    // A plain pod, as most charts write them: no securityContext at all.
    const r = await admin([
      "-n",
      NAMESPACE,
      "run",
      "plain-probe",
      `--image=${importedImages().flink}`,
      "--restart=Never",
    ]).then(
      () => "created",
      (err: Error) => err.message,
    );
    expect(r).toMatch(/violates PodSecurity "restricted/);
  });

  it("runs the sample job, submitted through the JobManager's REST API", async () => {
    const pods = await taskManagerPods();
    expect(pods).toHaveLength(2);
    // Ready pods are not yet a ready Flink: wait, through the API server's service proxy (admin only),
    // until the JobManager's REST API answers and both TaskManagers have registered.
    await waitFor("both TaskManagers to register with the JobManager", 180, async () => {
      const overview = JSON.parse(
        await admin(["get", "--raw", `/api/v1/namespaces/${NAMESPACE}/services/${CLUSTER}-rest:8081/proxy/overview`]),
      );
      return overview.taskmanagers === 2 ? true : undefined;
    });
    // The admin submits it through a port-forward, like a person deploying a job would.
    await submitSampleJob(`${CLUSTER}-rest`, 2);
  });
});
