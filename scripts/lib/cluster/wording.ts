// What went wrong with a profiling Job, in plain words, each with what to do about it. Pure: pod
// status, events and the Job's log lines in; a Problem out. The patterns are what kubectl and the
// kubelet really print; anything unrecognised is passed through rather than guessed at.
import { HELPER_COMMAND } from "../../../components/helper-contract.ts";
import { inProfileMjsTerms } from "../helper-hints.ts";

export interface Problem {
  code:
    | "image-pull"
    | "unschedulable"
    | "rbac-denied"
    | "helper-missing"
    | "taskmanager-gone"
    | "deadline"
    | "job-failed"
    | "result-too-large"
    | "file-too-large"
    | "log-too-large"
    | "helper-error";
  message: string;
  hint: string;
}

export interface ProblemContext {
  /** The TaskManager pod the Job profiles. */
  pod: string;
  namespace: string;
  /** The Job's service account, for RBAC hints. */
  serviceAccount?: string;
  image?: string;
  /** The ConfigMap the Job's template came from, for hints. */
  templateConfigMap?: string;
}

const IMAGE_PULL = new Set([
  "ImagePullBackOff",
  "ErrImagePull",
  "InvalidImageName",
  "ErrImageNeverPull",
  "RegistryUnavailable",
]);

/** A waiting container reason (from the Job pod's status) as a Problem; undefined for the ordinary ones. */
export function waitingProblem(reason: string, detail: string | undefined, ctx: ProblemContext): Problem | undefined {
  if (IMAGE_PULL.has(reason)) {
    return {
      code: "image-pull",
      message: `the profiling Job's image${ctx.image ? ` ${ctx.image}` : ""} cannot be pulled (${reason})${detail ? `: ${detail}` : ""}`,
      hint: `check runnerImage in the ${ctx.templateConfigMap ?? "profiling Job template"} ConfigMap, and that the nodes may pull it (imagePullSecrets, registry reachable)`,
    };
  }
  if (reason === "CreateContainerConfigError" || reason === "CreateContainerError") {
    return {
      code: "job-failed",
      message: `the profiling Job's container cannot start (${reason})${detail ? `: ${detail}` : ""}`,
      hint: `see \`kubectl describe pod\` for the Job's pod in ${ctx.namespace}`,
    };
  }
  return undefined;
}

export interface EventLike {
  type?: string;
  reason?: string;
  message?: string;
}

/** A Kubernetes event about the Job or its pod as a Problem; undefined for Normal events. */
export function eventProblem(event: EventLike, ctx: ProblemContext): Problem | undefined {
  const reason = event.reason ?? "";
  const message = event.message ?? "";
  if (reason === "FailedScheduling" || /Unschedulable/.test(reason)) {
    return {
      code: "unschedulable",
      message: `no node can run the profiling Job's pod: ${message || reason}`,
      hint: "the Job asks for 50m CPU and 64Mi; free some room, or add tolerations/nodeSelector to the Job template",
    };
  }
  if (reason === "FailedCreate" && /forbidden/i.test(message)) {
    return {
      code: "rbac-denied",
      message: `the profiling Job may not create its pod: ${message}`,
      hint: `check that the service account ${ctx.serviceAccount ?? "of the template"} exists in ${ctx.namespace} and that admission policies allow the Job`,
    };
  }
  if (reason === "DeadlineExceeded") {
    return {
      code: "deadline",
      message: "the profiling Job ran out of time (activeDeadlineSeconds)",
      hint: "use a shorter -d, or raise activeDeadlineSeconds in the Job template",
    };
  }
  if (reason === "Failed" && IMAGE_PULL.has(message.split(":")[0] ?? ""))
    return waitingProblem(message.split(":")[0]!, message, ctx);
  if (event.type === "Warning" && /pull/i.test(reason + message) && /image/i.test(message)) {
    return waitingProblem("ErrImagePull", message, ctx);
  }
  return undefined;
}

/**
 * The Job's log (kubectl exec's stderr lands there too) and its exit code, when the helper itself did
 * not say what went wrong.
 */
export function logProblem(
  lines: readonly string[],
  exitCode: number | undefined,
  ctx: ProblemContext,
): Problem | undefined {
  const text = lines.join("\n");
  // kubectl before 1.30 says "Error from server (Forbidden): …"; with WebSocket exec (the default since
  // 1.30) a refused exec is "error: unable to upgrade connection: … is forbidden: …".
  const forbidden =
    /(?:Error from server \(Forbidden\):|error: unable to upgrade connection:)\s*(.*\bforbidden\b.*)$/m.exec(text);
  if (forbidden) {
    const sa = ctx.serviceAccount
      ? `system:serviceaccount:${ctx.namespace}:${ctx.serviceAccount}`
      : "the Job's service account";
    return {
      code: "rbac-denied",
      message: `RBAC denied the profiling Job: ${forbidden[1]}`,
      hint: `${sa} needs "create" on pods/exec and "get" on pods in ${ctx.namespace} (the ProfilingAccess component grants both); \`profile.mjs doctor\` checks it`,
    };
  }
  if (
    /flink-profiler: (command )?not found|executable file not found in \$PATH|no such file or directory: unknown/.test(
      text,
    ) ||
    exitCode === 127
  ) {
    return {
      code: "helper-missing",
      message: `flink-profiler is not in TaskManager ${ctx.pod}'s image`,
      hint: "build the TaskManager image from images/flink-profiling (it puts flink-profiler and async-profiler on PATH)",
    };
  }
  if (exitCode === 126 || (/permission denied/i.test(text) && /flink-profiler/.test(text))) {
    return {
      code: "helper-missing",
      message: `flink-profiler in ${ctx.pod}'s image cannot be run (permission denied)`,
      hint: "the helper must be executable: chmod 0755 in the image",
    };
  }
  const gone =
    /pods? "[^"]*" not found|container not found|cannot exec into a container in a completed pod|pod does not exist|is terminated/i.exec(
      text,
    );
  if (gone || exitCode === 137) {
    return {
      code: "taskmanager-gone",
      message: `TaskManager ${ctx.pod} went away during the profile${gone ? ` (${gone[0]})` : " (killed)"}`,
      hint: `it was restarted, rescheduled or OOM-killed: \`kubectl describe pod -n ${ctx.namespace} ${ctx.pod}\` says which; profile it again once it runs`,
    };
  }
  return undefined;
}

/** The helper's own error event, with TaskManager-gone codes worded as such. */
export function helperProblem(code: string, message: string, hint: string | undefined, ctx: ProblemContext): Problem {
  if (code === "no-such-process" || code === "no-flink-jvm") {
    return {
      code: "taskmanager-gone",
      message: `the TaskManager JVM in ${ctx.pod} is gone: ${message}`,
      hint: `the JVM exited or restarted: \`kubectl describe pod -n ${ctx.namespace} ${ctx.pod}\` and \`kubectl logs --previous\` tell why`,
    };
  }
  if (code === "result-too-large") {
    // The helper names its own option and bytes; say it in the words of profile.mjs.
    const sizes = /takes (\d+) bytes as records, more than the (\d+) bytes/.exec(message);
    const mib = (bytes: string) => (Number(bytes) / (1024 * 1024)).toFixed(1);
    return {
      code: "result-too-large",
      message: sizes
        ? `the profile of ${ctx.pod} is ${mib(sizes[1]!)} MiB once encoded, more than the ${mib(sizes[2]!)} MiB a profiling Job's log may carry (--max-result-mib); nothing was sent`
        : message,
      hint:
        "the kubelet rotates a container's log at containerLogMaxSize (10 MiB by default) and a rotated log can lose the result: " +
        "profile for less time (-d), leave jfr out of --format (the smaller collapsed stacks travel then), narrow it with -I, or use --via exec; " +
        "raise --max-result-mib only if the kubelet's containerLogMaxSize is larger",
    };
  }
  return {
    code: "helper-error",
    message,
    hint: hint ? inProfileMjsTerms(hint, "cluster", HELPER_COMMAND) : "see the Job's log for the helper's output",
  };
}

/** A file the decoder refused for its size (--max-file-mib): `detail` is the decoder's own words. */
export function fileTooLargeProblem(detail: string, maxFileBytes: number, ctx: ProblemContext): Problem {
  const mib = maxFileBytes / (1024 * 1024);
  return {
    code: "file-too-large",
    message: `the profile of ${ctx.pod} is larger than the ${mib} MiB this run accepts (--max-file-mib): ${detail}; nothing was written`,
    hint:
      "raise --max-file-mib (up to 1024) if a profile this large is expected: this machine holds about twice the file in memory while it checks it; " +
      "or profile for less time (-d), or narrow it with -I",
  };
}

export type StreamLimit =
  | { via: "job"; mib: string; maxResultMiB: number }
  | { via: "exec"; mib: string; maxFileMiB: number }
  | { via: "other"; mib: string };

/** A stream that passed what an honest helper sends (cluster/log-limits.ts): it was not read on. */
export function logTooLargeProblem(ctx: ProblemContext, limit: StreamLimit): Problem {
  const check = `check flink-profiler in ${ctx.pod}'s image (replaced, or broken?)`;
  const unread = "the rest was not read and nothing was written";
  if (limit.via === "job")
    return {
      code: "log-too-large",
      message: `the profiling Job's log of ${ctx.pod} passed ${limit.mib} MiB, more than the helper sends under --max-result-mib ${limit.maxResultMiB}; ${unread}`,
      hint: `the helper refuses a result over --max-result-mib before sending any of it, so this log is not what it writes: ${check}; --max-result-mib moves the limit`,
    };
  if (limit.via === "exec")
    return {
      code: "log-too-large",
      message: `the helper in ${ctx.pod} sent more than ${limit.mib} MiB through kubectl exec, more than a profile of --max-file-mib ${limit.maxFileMiB} takes; ${unread}`,
      hint: `raise --max-file-mib (up to 1024) if a profile this large is expected; otherwise ${check}`,
    };
  return {
    code: "log-too-large",
    message: `the Job's log of ${ctx.pod} passed ${limit.mib} MiB, far more than the helper writes there; ${unread}`,
    hint: check,
  };
}
