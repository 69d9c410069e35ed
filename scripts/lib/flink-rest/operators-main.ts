// `profile.mjs operators --flink-rest URL | -n NS --cluster NAME [--job ID] [--json]`: the running jobs'
// vertices, their load and where they run, the bottleneck marked. GETs only; in a cluster, read by the
// helper inside one of its TaskManagers (cluster/rest-through-taskmanager.ts).
import type { OperatorsCommand } from "./operators-cli.ts";
import { fetchJobViews } from "./operators-fetch.ts";
import { operatorsJson, renderOperators } from "./operators-text.ts";
import { flinkRest, type FlinkRest } from "./http.ts";

export async function runOperators(
  cmd: OperatorsCommand,
  onNote: (line: string) => void = () => undefined,
): Promise<string> {
  let rest: FlinkRest;
  // In a cluster, the REST Job's deletion runs while the answers are read into the table.
  let deleted: Promise<void> | undefined;
  if (cmd.inCluster) {
    // Loaded only here: --flink-rest runs need none of the Kubernetes modules.
    const { restThroughTaskManager } = await import("../cluster/rest-through-taskmanager.ts");
    ({ rest, deleted } = await restThroughTaskManager(cmd.inCluster.kube, cmd.inCluster.choice, {
      job: cmd.jobId,
      restUrl: cmd.inCluster.restUrl,
      onNote,
    }));
  } else {
    rest = flinkRest(cmd.restUrl!);
  }
  let jobs: Awaited<ReturnType<typeof fetchJobViews>>;
  try {
    jobs = await fetchJobViews(rest, cmd.jobId, false);
  } finally {
    await deleted;
  }
  return cmd.json ? `${operatorsJson(jobs)}\n` : renderOperators(jobs);
}
