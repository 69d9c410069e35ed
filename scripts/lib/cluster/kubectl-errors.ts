// kubectl's error output as a message a person can act on. Pure.
import { HintedError } from "../profile-options.ts";
import type { KubeTarget } from "./cluster-cli.ts";

/** A problem with the cluster or the user's access to it: nothing was created when it is thrown. */
export class ClusterError extends HintedError {}

/** `what` says what we tried, e.g. "list pods in flink". */
export function explainKubectlFailure(stderr: string, what: string, kube: KubeTarget): ClusterError {
  const text = stderr.trim();
  const first = text.split("\n").find((l) => l.trim() !== "") ?? "kubectl failed without a message";
  let m: RegExpExecArray | null;
  const context =
    /context "([^"]*)" does not exist|no context exists with the name: "([^"]*)"|cannot locate context (\S+)|context was not found for specified context: (\S+)/;
  if ((m = context.exec(text))) {
    return new ClusterError(
      `kubectl has no context "${m[1] ?? m[2] ?? m[3] ?? m[4]}"`,
      "list the contexts with `kubectl config get-contexts` and pass one with --context",
    );
  }
  if (/current-context is not set|no configuration has been provided|invalid configuration/i.test(text)) {
    return new ClusterError(
      "kubectl has no cluster configured",
      "pass --kubeconfig FILE or --context NAME, or set KUBECONFIG",
    );
  }
  if (kube.kubeconfig && /no such file or directory/.test(text)) {
    return new ClusterError(
      `the kubeconfig file ${kube.kubeconfig} does not exist`,
      "check the path given to --kubeconfig",
    );
  }
  if ((m = /namespaces? "([^"]*)" not found/.exec(text))) {
    return new ClusterError(
      `namespace "${m[1]}" does not exist`,
      "list namespaces with `kubectl get namespaces`, then pass the Flink one with -n",
    );
  }
  if (/Error from server \(Forbidden\)/.test(text)) {
    const detail = first.replace(/^Error from server \(Forbidden\):\s*/, "");
    return new ClusterError(
      `RBAC denied: could not ${what}: ${detail}`,
      "ask an admin for the profiling Role (components/: ProfilingAccess), or run `profile.mjs doctor` to see every missing right",
    );
  }
  if (/Unauthorized|You must be logged in/.test(text)) {
    return new ClusterError(
      `the cluster did not accept your credentials while trying to ${what}`,
      "log in again (refresh the kubeconfig's token), then retry",
    );
  }
  if (
    /Unable to connect to the server|connection to the server .* was refused|connection refused|no such host|i\/o timeout/.test(
      text,
    )
  ) {
    const line =
      text
        .split("\n")
        .filter((l) => !/^E\d{4} /.test(l))
        .pop() ?? first;
    return new ClusterError(
      `cannot reach the Kubernetes API server: ${line}`,
      "check the context (--context) and the network or VPN",
    );
  }
  return new ClusterError(
    `kubectl could not ${what}: ${first.replace(/^error:\s*/, "")}`,
    "run the same with kubectl directly to see more",
  );
}
