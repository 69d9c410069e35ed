// A Job controller reduced to what one-off Jobs need: one pod at a time, retries up to
// backoffLimit, activeDeadlineSeconds, and the status/conditions kubectl and scripts read.
import { recordEvent } from "./events.ts";
import { PODS, type Kubelet } from "./kubelet.ts";
import { findResource } from "./resources.ts";
import { now, randomSuffix, type KObject, type Store } from "./store.ts";

export const JOBS = findResource("batch", "v1", "jobs")!;

type Tally = { counted: Set<string>; succeeded: number; failed: number; deadline?: NodeJS.Timeout; created: number };

const finished = (job: KObject) =>
  (job.status?.conditions ?? []).some(
    (c: { type: string; status: string }) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );

/** Defaults the API server fills in on create; also what makes the Job's pods selectable. */
export function defaultJob(job: KObject): void {
  const uid = job.metadata.uid!;
  const spec = (job.spec ??= {});
  const controllerLabels = {
    "batch.kubernetes.io/controller-uid": uid,
    "batch.kubernetes.io/job-name": job.metadata.name,
    "controller-uid": uid,
    "job-name": job.metadata.name,
  };
  spec.selector ??= { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
  spec.manualSelector ??= undefined;
  spec.template ??= {};
  spec.template.metadata = {
    ...spec.template.metadata,
    labels: { ...spec.template.metadata?.labels, ...controllerLabels },
  };
  spec.backoffLimit ??= 6;
  spec.completions ??= 1;
  spec.parallelism ??= 1;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= "TerminatingOrFailed";
  job.metadata.labels = { ...controllerLabels, ...job.metadata.labels };
  delete job.metadata.labels["batch.kubernetes.io/controller-uid"];
  delete job.metadata.labels["controller-uid"];
  job.status = {};
}

export class JobController {
  private tallies = new Map<string, Tally>();
  private pending = new Set<string>();
  private store: Store;
  private kubelet: Kubelet;

  constructor(store: Store, kubelet: Kubelet) {
    this.store = store;
    this.kubelet = kubelet;
    store.subscribe((e) => {
      if (e.def === JOBS) {
        if (e.type === "DELETED") this.forget(e.object.metadata.uid!);
        else this.enqueue(e.object.metadata.namespace!, e.object.metadata.name);
      }
      if (e.def === PODS) {
        const owner = (e.object.metadata.ownerReferences ?? []).find((r) => r.kind === "Job" && r.controller);
        if (owner) this.enqueue(e.object.metadata.namespace!, owner.name);
      }
    });
  }

  private forget(uid: string) {
    const t = this.tallies.get(uid);
    if (t?.deadline) clearTimeout(t.deadline);
    this.tallies.delete(uid);
  }

  stop(): void {
    for (const uid of [...this.tallies.keys()]) this.forget(uid);
  }

  // Controllers react after the write that woke them, never inside it.
  private enqueue(ns: string, name: string) {
    const k = `${ns}/${name}`;
    if (this.pending.has(k)) return;
    this.pending.add(k);
    setImmediate(() => {
      this.pending.delete(k);
      this.sync(ns, name);
    });
  }

  private sync(ns: string, name: string) {
    const job = this.store.get(JOBS, ns, name);
    if (!job || job.metadata.deletionTimestamp || finished(job)) return;
    const uid = job.metadata.uid!;
    let tally = this.tallies.get(uid);
    if (!tally) this.tallies.set(uid, (tally = { counted: new Set(), succeeded: 0, failed: 0, created: 0 }));
    const pods = this.store.list(PODS, ns).filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
    for (const p of pods) {
      const phase = p.status?.phase;
      if ((phase === "Succeeded" || phase === "Failed") && !tally.counted.has(p.metadata.uid!)) {
        tally.counted.add(p.metadata.uid!);
        if (phase === "Succeeded") tally.succeeded++;
        else tally.failed++;
      }
    }
    // A pod deleted before it finished (someone deleted it, or the node lost it) counts as failed.
    const live = new Set(pods.map((p) => p.metadata.uid));
    for (const created of this.createdPods(uid)) {
      if (!live.has(created) && !tally.counted.has(created)) {
        tally.counted.add(created);
        tally.failed++;
      }
    }
    const active = pods.filter(
      (p) => !["Succeeded", "Failed"].includes(p.status?.phase) && !p.metadata.deletionTimestamp,
    );
    const spec = job.spec;
    const startTime = job.status?.startTime ?? now();
    if (spec.activeDeadlineSeconds !== undefined && !tally.deadline) {
      const left = Date.parse(startTime) + spec.activeDeadlineSeconds * 1000 - Date.now();
      tally.deadline = setTimeout(
        () => this.fail(ns, name, "DeadlineExceeded", "Job was active longer than specified deadline"),
        Math.max(0, left),
      );
    }
    if (tally.succeeded >= spec.completions) return this.complete(ns, name, tally);
    if (tally.failed > spec.backoffLimit)
      return this.fail(ns, name, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    let activeCount = active.length;
    while (!spec.suspend && activeCount < spec.parallelism && tally.succeeded + activeCount < spec.completions) {
      this.createPod(job);
      tally.created++;
      activeCount++;
    }
    this.store.mutate(JOBS, ns, name, (o) => {
      o.status = {
        ...o.status,
        startTime,
        active: activeCount || undefined,
        ready: active.filter(
          (p) =>
            p.status?.phase === "Running" &&
            p.status?.conditions?.some(
              (c: { type: string; status: string }) => c.type === "Ready" && c.status === "True",
            ),
        ).length,
        terminating: pods.filter((p) => p.metadata.deletionTimestamp).length,
        ...(tally.succeeded ? { succeeded: tally.succeeded } : {}),
        ...(tally.failed ? { failed: tally.failed } : {}),
        uncountedTerminatedPods: {},
      };
      for (const k of Object.keys(o.status)) if (o.status[k] === undefined) delete o.status[k];
    });
  }

  private createdUids = new Map<string, string[]>();
  private createdPods(jobUid: string): string[] {
    return this.createdUids.get(jobUid) ?? [];
  }

  private createPod(job: KObject) {
    const tpl = job.spec.template;
    const pod = this.store.create(PODS, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `${job.metadata.name}-${randomSuffix()}`,
        generateName: `${job.metadata.name}-`,
        namespace: job.metadata.namespace,
        labels: { ...tpl.metadata?.labels },
        annotations: { ...tpl.metadata?.annotations },
        ownerReferences: [
          {
            apiVersion: "batch/v1",
            kind: "Job",
            name: job.metadata.name,
            uid: job.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: podDefaults(structuredClone(tpl.spec ?? {})),
      status: { phase: "Pending", qosClass: "BestEffort" },
    });
    const list = this.createdUids.get(job.metadata.uid!) ?? [];
    list.push(pod.metadata.uid!);
    this.createdUids.set(job.metadata.uid!, list);
    recordEvent(
      this.store,
      JOBS,
      job,
      "Normal",
      "SuccessfulCreate",
      `Created pod: ${pod.metadata.name}`,
      "job-controller",
    );
  }

  private complete(ns: string, name: string, tally: Tally) {
    if (tally.deadline) clearTimeout(tally.deadline);
    const t = now();
    const job = this.store.mutate(JOBS, ns, name, (o) => {
      o.status = {
        ...o.status,
        succeeded: tally.succeeded,
        ...(tally.failed ? { failed: tally.failed } : {}),
        ready: 0,
        terminating: 0,
        completionTime: t,
        conditions: [
          {
            type: "SuccessCriteriaMet",
            status: "True",
            lastProbeTime: t,
            lastTransitionTime: t,
            reason: "CompletionsReached",
            message: "Reached expected number of succeeded pods",
          },
          {
            type: "Complete",
            status: "True",
            lastProbeTime: t,
            lastTransitionTime: t,
            reason: "CompletionsReached",
            message: "Reached expected number of succeeded pods",
          },
        ],
      };
      delete o.status.active;
    });
    if (job) recordEvent(this.store, JOBS, job, "Normal", "Completed", "Job completed", "job-controller");
  }

  private fail(ns: string, name: string, reason: string, message: string) {
    const job = this.store.get(JOBS, ns, name);
    if (!job || finished(job)) return;
    const tally = this.tallies.get(job.metadata.uid!);
    if (tally?.deadline) clearTimeout(tally.deadline);
    const t = now();
    const updated = this.store.mutate(JOBS, ns, name, (o) => {
      o.status = {
        ...o.status,
        ...(tally?.failed ? { failed: tally.failed } : {}),
        ready: 0,
        conditions: [
          { type: "FailureTarget", status: "True", lastProbeTime: t, lastTransitionTime: t, reason, message },
          { type: "Failed", status: "True", lastProbeTime: t, lastTransitionTime: t, reason, message },
        ],
      };
      delete o.status.active;
    });
    if (updated) recordEvent(this.store, JOBS, updated, "Warning", reason, message, "job-controller");
    // The real controller deletes the still-running pods of a failed Job.
    for (const p of this.store.list(PODS, ns)) {
      const owned = (p.metadata.ownerReferences ?? []).some((r) => r.uid === job.metadata.uid);
      if (owned && !["Succeeded", "Failed"].includes(p.status?.phase))
        void this.kubelet.deletePod(ns, p.metadata.name).catch(() => {});
    }
  }
}

/** Pod fields the API server defaults, for pods from templates and from clients alike. */
export function podDefaults(spec: KObject["spec"]) {
  spec.restartPolicy ??= "Always";
  spec.serviceAccountName ??= spec.serviceAccount ?? "default";
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  for (const c of spec.containers ?? []) {
    c.terminationMessagePath ??= "/dev/termination-log";
    c.terminationMessagePolicy ??= "File";
    c.imagePullPolicy ??= c.image?.endsWith(":latest") || !c.image?.includes(":") ? "Always" : "IfNotPresent";
  }
  return spec;
}
