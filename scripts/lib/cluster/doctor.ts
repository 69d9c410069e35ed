// `profile.mjs doctor`: checks, one line each with how to fix, everything a run needs: the caller's and
// the Job's RBAC (kubectl auth can-i), the template, the TaskManagers, the helper and async-profiler in
// the image and perf events (a one-second profile in one TaskManager), the Flink version.
import { HELPER_COMMAND, renderProfilingJob, type ProfilingJobTemplate } from "../../../components/profiling-job.ts";
import { LEGACY_TEMPLATE_CONFIGMAP_NAME, templateConfigMapName } from "../../../components/profiling-names.ts";
import { parseHelperLine, type HelperEvent } from "../helper-events.ts";
import type { DoctorCommand, TaskManagerChoice } from "./cluster-cli.ts";
import { findTaskManagers, readTemplate, readTemplateFor, requireNamespace, resolveNamespace } from "./context.ts";
import {
  callerRights,
  checkLine,
  describeRight,
  flinkVersionCheck,
  serviceAccountRights,
  type Check,
  type Right,
} from "./doctor-checks.ts";
import { createRunFollower } from "./follow.ts";
import { createJobCreator } from "./jobs.ts";
import { createKubectl, type Kubectl } from "./kubectl.ts";
import { newRunId } from "./naming.ts";
import type { TaskManagerTarget } from "./select.ts";
import { deleteRun } from "./stop.ts";
import { execHelper, execCommand } from "./via-exec.ts";
import { helperProblem, logProblem } from "./wording.ts";

/** Returns true when nothing failed (notices allowed). */
export async function doctor(cmd: DoctorCommand, write: (line: string) => void): Promise<boolean> {
  const kubectl = createKubectl(cmd.kube);
  let failed = false;
  const report = (c: Check) => {
    failed ||= c.verdict === "fail";
    write(checkLine(c));
  };
  const namespace = await resolveNamespace(kubectl);
  await requireNamespace(kubectl, namespace);
  report({ verdict: "ok", what: `namespace ${namespace} reachable` });

  const cluster = cmd.choice?.by === "cluster" ? cmd.choice.cluster : undefined;
  const templateName = cluster ? templateConfigMapName(cluster) : LEGACY_TEMPLATE_CONFIGMAP_NAME;
  for (const right of callerRights(cmd.via, templateName)) report(await canI(kubectl, namespace, right));

  let template: ProfilingJobTemplate | undefined;
  if (cmd.via === "job") {
    try {
      const stored = cmd.choice
        ? await readTemplateFor(kubectl, namespace, cmd.choice)
        : await readTemplate(kubectl, namespace);
      template = stored.template;
      report({
        verdict: "ok",
        what: `profiling Job template present (ConfigMap ${stored.configMap}, service account ${template.serviceAccountName}, image ${template.runnerImage})`,
      });
    } catch (err) {
      // A ClusterError, or a UsageError when the chosen pods are not there: both say what to do.
      const hint = (err as { hint?: string }).hint;
      if (hint === undefined) throw err;
      report({ verdict: "fail", what: (err as Error).message, fix: hint });
    }
  }

  const choice: TaskManagerChoice | undefined =
    cmd.choice ??
    (template
      ? {
          by: "selector",
          selector: Object.entries(template.target.labelSelector)
            .map(([k, v]) => `${k}=${v}`)
            .join(","),
        }
      : undefined);
  if (!choice) {
    report({
      verdict: "notice",
      what: "no TaskManagers to check the image in",
      fix: "add --cluster NAME (or --pod NAME) to check the helper, perf events and the Flink version",
    });
    return !failed;
  }
  let target: TaskManagerTarget;
  try {
    const selection = await findTaskManagers(kubectl, namespace, choice, template?.target.container);
    target = selection.targets[0]!;
    report({
      verdict: "ok",
      what: `${selection.targets.length} TaskManager(s) found: ${selection.targets.map((t) => t.pod).join(", ")}`,
    });
  } catch (err) {
    report({ verdict: "fail", what: (err as Error).message, fix: (err as { hint?: string }).hint });
    return false;
  }
  if (template) {
    // Asked about a real TaskManager pod: the runner Role is limited to the TaskManagers' names where they are known.
    const sa = `system:serviceaccount:${namespace}:${template.serviceAccountName}`;
    for (const right of serviceAccountRights(target.pod)) report(await canI(kubectl, namespace, right, sa));
  }
  report(flinkVersionCheck(target.image));
  if (cmd.via === "job" && !template) return false;
  for (const c of await probeImage(kubectl, namespace, target, template)) report(c);
  return !failed;
}

async function canI(kubectl: Kubectl, namespace: string, right: Right, as?: string): Promise<Check> {
  const who = as ?? "you";
  const { verb, why } = right;
  const what = describeRight(right);
  // `can-i create pods/exec` would ask about a pod named "exec": a subresource has its own flag.
  const object = right.name ? `${right.resource}/${right.name}` : right.resource;
  const args = [
    "auth",
    "can-i",
    verb,
    object,
    ...(right.subresource ? [`--subresource=${right.subresource}`] : []),
    `--namespace=${namespace}`,
    ...(as ? [`--as=${as}`] : []),
  ];
  const r = await kubectl.run(args);
  const answer = r.stdout.trim();
  if (answer === "yes") return { verdict: "ok", what: `${who} may ${verb} ${what} (${why})` };
  if (answer === "no") {
    return {
      verdict: "fail",
      what: `${who} may not ${verb} ${what} (needed to ${why})`,
      fix: as
        ? "apply the ProfilingAccess component (its Role and RoleBinding) in this namespace"
        : "ask an admin to bind you the profiling user Role from the ProfilingAccess component",
    };
  }
  return {
    verdict: "notice",
    what: `could not check whether ${who} may ${verb} ${what}: ${r.stderr.trim().split("\n")[0] ?? "no answer"}`,
    fix: as
      ? "checking a service account needs the impersonate right; an admin can run doctor"
      : "run kubectl auth can-i yourself",
  };
}

/** A one-second profile in one TaskManager proves the helper, async-profiler and attach work, and shows perf events. */
async function probeImage(
  kubectl: Kubectl,
  namespace: string,
  target: TaskManagerTarget,
  template?: ProfilingJobTemplate,
): Promise<Check[]> {
  const args = ["--duration", "1", "--event", "cpu", "--format", "collapsed"];
  let lines: string[];
  let exitCode: number | undefined;
  let stderr: string[] = [];
  if (template) {
    const runId = `doctor-${newRunId()}`.slice(0, 40);
    const job = renderProfilingJob(template, {
      namespace,
      pod: target.pod,
      container: target.container,
      runId,
      helperArgs: args,
      activeDeadlineSeconds: 120,
    });
    try {
      await createJobCreator(kubectl, namespace).create(job);
      const end = await createRunFollower(kubectl, namespace, runId, { pollMs: 500, startTimeoutMs: 60_000 }).watch(
        job.metadata!.name!,
        { pod: target.pod, namespace },
      );
      if (end.problem) return [{ verdict: "fail", what: end.problem.message, fix: end.problem.hint }];
      ({ lines, exitCode } = end);
    } catch (err) {
      return [{ verdict: "fail", what: (err as Error).message, fix: (err as { hint?: string }).hint }];
    } finally {
      await deleteRun(kubectl, namespace, runId).catch(() => undefined);
    }
  } else {
    const run = await execHelper(execCommand(kubectl, namespace, target, HELPER_COMMAND, ["profile", ...args]), {
      ctx: { pod: target.pod, namespace },
    });
    if (run.problem) return [{ verdict: "fail", what: run.problem.message, fix: run.problem.hint }];
    lines = run.lines;
    exitCode = run.exitCode ?? undefined;
    stderr = run.stderrTail;
  }
  const events = lines.map(parseHelperLine).filter((e): e is HelperEvent => e !== undefined);
  const ctx = { pod: target.pod, namespace, serviceAccount: template?.serviceAccountName };
  const error = events.find((e) => e.type === "error");
  const problem =
    error?.type === "error"
      ? helperProblem(error.code, error.message, error.hint, ctx)
      : logProblem([...lines, ...stderr], exitCode, ctx);
  if (problem) return [{ verdict: "fail", what: problem.message, fix: problem.hint }];
  const started = events.find((e) => e.type === "started");
  if (started?.type !== "started")
    return [
      {
        verdict: "fail",
        what: `the helper in ${target.pod} did not start a profile (exit ${exitCode})`,
        fix: "see `kubectl logs` of the TaskManager and run the helper by hand: flink-profiler status",
      },
    ];
  const checks: Check[] = [
    {
      verdict: "ok",
      what: `flink-profiler and async-profiler work in ${target.pod} (profiled pid ${started.pid} for 1 s)`,
    },
  ];
  const perf = events.find((e) => e.type === "notice" && e.code === "perf-unavailable");
  checks.push(
    perf?.type === "notice"
      ? {
          verdict: "notice",
          what: `perf events are blocked in ${target.pod}: -e cpu uses ${started.event} (complete Java stacks, no kernel frames)`,
          fix:
            perf.hint ||
            "fine for most profiles; for kernel frames allow perf_event_open (kernel.perf_event_paranoid ≤ 1 on the node)",
        }
      : { verdict: "ok", what: `perf events available in ${target.pod} (-e cpu is ${started.event})` },
  );
  return checks;
}
