// Creating and deleting a run's Jobs. Creation is batched: Jobs asked for within a few milliseconds go
// to the API in one `kubectl create`, so a 64-TaskManager run starts with one kubectl, not 64.
import type { IJob } from "kubernetes-models/batch/v1";
import { MANAGED_BY, RUN_ID_LABEL } from "../../../components/profiling-job.ts";
import type { Kubectl } from "./kubectl.ts";
import { explainKubectlFailure, type ClusterError } from "./kubectl-errors.ts";

export interface JobCreator {
  /** Resolves once the API server has the Job; rejects with a ClusterError saying why not. */
  create(job: IJob): Promise<void>;
}

export function createJobCreator(kubectl: Kubectl, namespace: string, batchMs = 20): JobCreator {
  let queue: { job: IJob; resolve: () => void; reject: (e: ClusterError) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;

  const flush = async () => {
    const batch = queue;
    queue = [];
    timer = undefined;
    const list = { apiVersion: "v1", kind: "List", items: batch.map((b) => b.job) };
    // The objects come from the checked template, and the API server validates them again; kubectl's
    // own schema check would only add a round trip for the OpenAPI document.
    const r = await kubectl.run(["create", `--namespace=${namespace}`, "--validate=false", "-f", "-", "-o", "name"], {
      input: JSON.stringify(list),
    });
    const created = new Set(r.stdout.split("\n").map((l) => l.trim().replace(/^job(\.batch)?\//, "")));
    const what = batch.length === 1 ? "create the profiling Job" : `create ${batch.length} profiling Jobs`;
    for (const b of batch) {
      if (created.has(b.job.metadata?.name ?? "")) b.resolve();
      else b.reject(explainKubectlFailure(r.stderr || "the API server did not confirm the Job", what, kubectl.kube));
    }
  };

  return {
    create(job) {
      return new Promise((resolve, reject) => {
        queue.push({ job, resolve, reject });
        if (timer === undefined) timer = setTimeout(() => void flush(), batchMs);
      });
    },
  };
}

export const runSelector = (runId: string) => `${RUN_ID_LABEL}=${runId}`;
export const allRunsSelector = () =>
  Object.entries(MANAGED_BY)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

/**
 * Deletes the Jobs that match `selector` (a run, or every run); background cascading has the garbage
 * collector remove their pods, so the people who profile need no right to delete pods. Returns the names deleted.
 */
export async function deleteJobs(
  kubectl: Kubectl,
  namespace: string,
  selector: string,
  dryRun = false,
): Promise<string[]> {
  const args = [
    "delete",
    "jobs",
    `--namespace=${namespace}`,
    `--selector=${selector}`,
    "--ignore-not-found",
    "--cascade=background",
    "-o",
    "name",
  ];
  if (dryRun) args.push("--dry-run=client");
  const r = await kubectl.run(args);
  if (r.exitCode !== 0) throw explainKubectlFailure(r.stderr, `delete profiling Jobs (${selector})`, kubectl.kube);
  // kubectl says "No resources found" on stdout too; only kind/name lines are deletions.
  return r.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^[\w.]+\/\S+$/.test(l));
}
