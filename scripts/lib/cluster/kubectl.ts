// Runs the real kubectl with an argument array: no shell, every user value one argument.
// The connection flags are always spelled `--flag=value`, so a value starting with '-' stays a value.
import { execa } from "execa";
import type { KubeTarget } from "./cluster-cli.ts";
import { ByteBudget, splitLines } from "./bounded-lines.ts";
import { explainKubectlFailure } from "./kubectl-errors.ts";

export interface KubectlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Kubectl {
  readonly kube: KubeTarget;
  /** The kubectl program itself ($FLINK_PROFILING_KUBECTL, else kubectl on PATH). */
  readonly binary: string;
  /** The flags that pick the cluster and user, for commands we hand to others (runHelper). */
  readonly connection: string[];
  /** Never throws for a non-zero exit: callers decide what a failure means. */
  run(
    args: readonly string[],
    opts?: { input?: string; signal?: AbortSignal; timeoutMs?: number },
  ): Promise<KubectlResult>;
  /** Runs and parses `-o json` output; throws a ClusterError explaining a failure. */
  json<T = any>(args: readonly string[], what: string): Promise<T>;
  /**
   * Streams stdout line by line (logs -f); resolves with the exit code when kubectl ends. Past `maxBytes`
   * of stdout no more lines come, kubectl is stopped and the result says `overLimit`.
   */
  lines(
    args: readonly string[],
    onLine: (line: string) => void,
    opts?: { signal?: AbortSignal; maxBytes?: number },
  ): Promise<KubectlResult & { overLimit?: boolean }>;
}

export function connectionArgs(kube: KubeTarget): string[] {
  const args: string[] = [];
  if (kube.kubeconfig !== undefined) args.push(`--kubeconfig=${kube.kubeconfig}`);
  if (kube.context !== undefined) args.push(`--context=${kube.context}`);
  return args;
}

export function createKubectl(kube: KubeTarget, binary = process.env.FLINK_PROFILING_KUBECTL ?? "kubectl"): Kubectl {
  const connection = connectionArgs(kube);
  const run: Kubectl["run"] = async (args, opts = {}) => {
    const r = await execa(binary, [...connection, ...args], {
      reject: false,
      input: opts.input,
      stdin: opts.input === undefined ? "ignore" : undefined,
      cancelSignal: opts.signal,
      timeout: opts.timeoutMs,
      stripFinalNewline: false,
    });
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
  };
  return {
    kube,
    binary,
    connection,
    run,
    async json(args, what) {
      const r = await run([...args, "-o", "json"]);
      if (r.exitCode !== 0) throw explainKubectlFailure(r.stderr, what, kube);
      return JSON.parse(r.stdout);
    },
    async lines(args, onLine, opts = {}) {
      const child = execa(binary, [...connection, ...args], {
        reject: false,
        stdin: "ignore",
        cancelSignal: opts.signal,
        buffer: { stdout: false },
      });
      const budget = new ByteBudget(opts.maxBytes ?? Number.POSITIVE_INFINITY);
      const lines = splitLines(budget, onLine);
      child.stdout?.on("data", (chunk: Buffer) => {
        if (!lines.push(chunk)) child.kill();
      });
      const r = await child;
      lines.end();
      return {
        exitCode: r.exitCode ?? 1,
        stdout: "",
        stderr: String(r.stderr ?? ""),
        ...(budget.exceeded ? { overLimit: true } : {}),
      };
    },
  };
}
