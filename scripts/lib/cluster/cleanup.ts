// `profile.mjs cleanup`: removes what a crashed or killed run left, by label. The profiles themselves
// need no cleanup: the helper starts asprof with --timeout, so a profile ends with its duration.
import type { CleanupCommand } from "./cluster-cli.ts";
import { requireNamespace, resolveNamespace } from "./context.ts";
import { allRunsSelector, deleteJobs, runSelector } from "./jobs.ts";
import { createKubectl } from "./kubectl.ts";

export async function cleanup(cmd: CleanupCommand, write: (line: string) => void): Promise<void> {
  const kubectl = createKubectl(cmd.kube);
  const namespace = await resolveNamespace(kubectl);
  await requireNamespace(kubectl, namespace);
  const selector = cmd.runId ? runSelector(cmd.runId) : allRunsSelector();
  const deleted = await deleteJobs(kubectl, namespace, selector, cmd.dryRun);
  const verb = cmd.dryRun ? "would delete" : "deleted";
  for (const name of deleted) write(`${verb} ${name}`);
  write(
    deleted.length === 0
      ? `nothing to clean up in ${namespace} (${selector})`
      : `${verb} ${deleted.length} object(s) in ${namespace}`,
  );
}
