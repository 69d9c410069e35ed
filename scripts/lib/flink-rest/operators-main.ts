// `profile.mjs operators --flink-rest URL [--job ID] [--json]`: the running jobs' vertices, their load and
// where they run, the bottleneck marked. GETs only.
import type { OperatorsCommand } from "./operators-cli.ts";
import { fetchJobViews } from "./operators-fetch.ts";
import { operatorsJson, renderOperators } from "./operators-text.ts";
import { flinkRest } from "./http.ts";

export async function runOperators(cmd: OperatorsCommand): Promise<string> {
  const jobs = await fetchJobViews(flinkRest(cmd.restUrl), cmd.jobId, false);
  return cmd.json ? `${operatorsJson(jobs)}\n` : renderOperators(jobs);
}
