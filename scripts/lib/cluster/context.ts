// What every cluster command needs before it may create anything: the namespace, that it exists,
// the Job template, and the TaskManagers. Each step fails with a ClusterError that says how to fix it.
import { TEMPLATE_CONFIGMAP_NAME, TEMPLATE_KEY, parseTemplate, type ProfilingJobTemplate } from "../../../components/profiling-job.ts";
import type { TaskManagerChoice } from "./cluster-cli.ts";
import type { Kubectl } from "./kubectl.ts";
import { ClusterError, explainKubectlFailure } from "./kubectl-errors.ts";
import { podInfo, selectTaskManagers, type Selection } from "./select.ts";

/** -n if given, else the context's namespace, else "default" — what kubectl itself would use. */
export async function resolveNamespace(kubectl: Kubectl): Promise<string> {
  if (kubectl.kube.namespace) return kubectl.kube.namespace;
  const r = await kubectl.run(["config", "view", "--minify", "-o", "jsonpath={..namespace}"]);
  if (r.exitCode !== 0) throw explainKubectlFailure(r.stderr, "read the kubectl configuration", kubectl.kube);
  return r.stdout.trim() || "default";
}

/** kubectl lists nothing, without an error, in a namespace that does not exist; ask for it by name. */
export async function requireNamespace(kubectl: Kubectl, namespace: string): Promise<void> {
  const r = await kubectl.run(["get", "namespace", namespace, "-o", "name"]);
  if (r.exitCode === 0) return;
  // Many users may not read namespaces (cluster-scoped); then the pod list speaks for it.
  if (/\(Forbidden\)/.test(r.stderr)) return;
  throw explainKubectlFailure(r.stderr, `find namespace ${namespace}`, kubectl.kube);
}

export async function readTemplate(kubectl: Kubectl, namespace: string): Promise<ProfilingJobTemplate> {
  const r = await kubectl.run(["get", "configmap", TEMPLATE_CONFIGMAP_NAME, `--namespace=${namespace}`, "-o", "json"]);
  if (r.exitCode !== 0) {
    if (/\(NotFound\)/.test(r.stderr)) {
      throw new ClusterError(
        `no profiling Job template in namespace "${namespace}" (ConfigMap ${TEMPLATE_CONFIGMAP_NAME})`,
        "deploy the ProfilingAccess component into this namespace, or profile with your own exec right: --via exec",
      );
    }
    throw explainKubectlFailure(r.stderr, `read the profiling Job template in ${namespace}`, kubectl.kube);
  }
  const text = JSON.parse(r.stdout)?.data?.[TEMPLATE_KEY];
  if (typeof text !== "string") {
    throw new ClusterError(`ConfigMap ${TEMPLATE_CONFIGMAP_NAME} in "${namespace}" has no ${TEMPLATE_KEY}`, "redeploy the ProfilingAccess component, which writes it");
  }
  try {
    return parseTemplate(text);
  } catch (err) {
    throw new ClusterError(`the profiling Job template in "${namespace}" is broken: ${(err as Error).message}`, "redeploy the ProfilingAccess component; do not edit the ConfigMap by hand");
  }
}

export async function findTaskManagers(kubectl: Kubectl, namespace: string, choice: TaskManagerChoice, container?: string): Promise<Selection> {
  const args = ["get", "pods", `--namespace=${namespace}`];
  if (choice.by === "selector") args.push(`--selector=${choice.selector}`);
  const list = await kubectl.json<{ items?: unknown[] }>(args, `list pods in ${namespace}`);
  return selectTaskManagers((list.items ?? []).map(podInfo), choice, namespace, container);
}
