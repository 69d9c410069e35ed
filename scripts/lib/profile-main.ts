// Everything profile.mjs does, as a function tests can call: parse, profile, report, exit status.
import { parseProfileCommand, type ProfileCommand } from "./profile-cli.ts";
import { HintedError, UsageError } from "./profile-options.ts";
import { profileLocal } from "./local-profile.ts";
import { createProgressView } from "./progress.ts";
import { renderReport, toJsonDocument, type TargetReport } from "./report.ts";
import type { ClusterView } from "./analysis/cluster-view.ts";
import { newRunId } from "./cluster/naming.ts";
import { NO_CANCEL } from "./flink-rest/no-cancel.ts";

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export async function main(argv: readonly string[]): Promise<number> {
  let cmd: ProfileCommand;
  try {
    cmd = parseProfileCommand(argv);
  } catch (err) {
    return usageFailure(err);
  }
  if (cmd.kind === "help") {
    const { HELP } = await import("./profile-help.ts");
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  try {
    if (cmd.kind === "report" || cmd.kind === "diff" || cmd.kind === "merge") {
      const { runAnalysis } = await import("./analysis/analysis-main.ts");
      await runAnalysis(cmd);
      return EXIT.ok;
    }
    // The Kubernetes and analysis modules load only when needed: --local starts faster without them.
    if (cmd.kind === "cleanup") {
      const { cleanup } = await import("./cluster/cleanup.ts");
      await cleanup(cmd, (line) => process.stdout.write(`${line}\n`));
      return EXIT.ok;
    }
    if (cmd.kind === "operators") {
      const { runOperators } = await import("./flink-rest/operators-main.ts");
      process.stdout.write(await runOperators(cmd, (line) => process.stderr.write(`${line}\n`)));
      return EXIT.ok;
    }
    if (cmd.kind === "doctor") {
      const { runDoctor } = await import("./doctor-main.ts");
      return (await runDoctor(cmd, (line) => process.stdout.write(`${line}\n`))) ? EXIT.ok : EXIT.failed;
    }
  } catch (err) {
    return usageFailure(err);
  }
  const duration = cmd.kind === "rest" ? cmd.duration : cmd.settings.duration;

  // Known before the run starts, so a second Ctrl-C can say which Jobs to clean up.
  const runId = newRunId();
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts === 1) {
      // Flink's built-in profiler has no cancel: say so rather than promise a stop that cannot happen.
      const what =
        cmd.kind === "rest"
          ? `leaving; ${NO_CANCEL}, ${duration} s after it started`
          : "stopping the profiler in every target";
      process.stderr.write(`\n${signal}: ${what} (Ctrl-C again to leave at once)\n`);
      abort.abort();
    } else {
      const ns = cmd.kind === "cluster" && cmd.kube.namespace ? ` -n ${cmd.kube.namespace}` : "";
      const jobs =
        cmd.kind === "cluster"
          ? `; remove the run's Jobs with: zx scripts/profile.mjs cleanup${ns} --run ${runId}`
          : "";
      process.stderr.write(`leaving now; profiles still running stop by themselves within ${duration} s${jobs}\n`);
      process.exit(EXIT.interrupted);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const progress = createProgressView(process.stderr);
  try {
    const onProgress = (p: Parameters<typeof progress.update>[0]) => progress.update(p);
    let targets: TargetReport[];
    let header = "";
    if (cmd.kind === "local" && cmd.operator) {
      const { profileOperator } = await import("./operator-profile.ts");
      const { renderPlan } = await import("./operator-slice.ts");
      const run = await profileOperator(cmd, cmd.operator, { signal: abort.signal, onProgress });
      targets = run.targets;
      header = renderPlan(run.plan);
    } else if (cmd.kind === "local") {
      targets = await profileLocal(cmd, { signal: abort.signal, onProgress });
    } else if (cmd.kind === "rest" && cmd.operator) {
      const { profileOperatorViaRest } = await import("./flink-rest/operator-via-rest.ts");
      const { renderPlan } = await import("./operator-slice.ts");
      const run = await profileOperatorViaRest(cmd, cmd.operator, { signal: abort.signal, onProgress });
      targets = run.targets;
      header = renderPlan(run.plan);
    } else if (cmd.kind === "rest") {
      const { profileViaRest } = await import("./flink-rest/builtin-profiler.ts");
      targets = await profileViaRest(cmd, { signal: abort.signal, onProgress });
    } else if (cmd.operator) {
      const { profileOperatorInCluster } = await import("./cluster/operator-cluster.ts");
      const { renderPlan } = await import("./operator-slice.ts");
      const run = await profileOperatorInCluster(cmd, cmd.operator, {
        runId,
        signal: abort.signal,
        onProgress,
        onNote: (line) => process.stderr.write(`${line}\n`),
      });
      targets = run.targets;
      header = renderPlan(run.plan);
    } else {
      const { profileCluster } = await import("./cluster/cluster-profile.ts");
      const run = await profileCluster(cmd, {
        runId,
        signal: abort.signal,
        onProgress,
        onNote: (line) => process.stderr.write(`${line}\n`),
      });
      if (run.dryRun !== undefined) {
        process.stdout.write(run.dryRun);
        return EXIT.ok;
      }
      targets = run.targets;
    }
    progress.close();
    // A cluster run also shows all its TaskManagers together, and which of them differ from the rest.
    let cluster: ClusterView | undefined;
    let clusterText = "";
    if (cmd.kind === "cluster") {
      const [{ clusterView }, { renderClusterView }] = await Promise.all([
        import("./analysis/cluster-view.ts"),
        import("./analysis/analysis-text.ts"),
      ]);
      cluster = clusterView(targets);
      if (cluster) clusterText = renderClusterView(cluster);
    }
    process.stdout.write(
      cmd.json ? `${toJsonDocument(targets, cluster)}\n` : header + renderReport(targets) + clusterText,
    );
    if (abort.signal.aborted) return EXIT.interrupted;
    return targets.every((t) => t.status === "ok") ? EXIT.ok : EXIT.failed;
  } catch (err) {
    progress.close();
    // Ctrl-C before any target started (e.g. while asking Flink's REST API which TaskManagers there are).
    if (abort.signal.aborted) return EXIT.interrupted;
    return usageFailure(err);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function usageFailure(err: unknown): number {
  if (err instanceof HintedError) {
    process.stderr.write(`error: ${err.message}\nhint:  ${err.hint}\n`);
    return err instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
  process.stderr.write(`error: ${(err as Error).message ?? String(err)}\n`);
  return EXIT.failed;
}
