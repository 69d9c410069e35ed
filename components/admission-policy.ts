/**
 * The admission policies that pin what the profiling Job may be, as pure data derived from the Job
 * template (profiling-job.ts), so that the Job is still described once. ValidatingAdmissionPolicy, CEL,
 * enforced by the API server itself: no webhook to run.
 *
 * RBAC cannot say what a Job contains, so without these the right to create Jobs is as strong as the
 * runner's exec right (any command through the runner account) and as strong as reading every Secret of
 * the namespace (a Job pod may mount any of them and print it to the log its creator reads). Two policies:
 *
 * - runner pods: a pod that uses the runner service account is admitted only if it is the template's Job
 *   pod: the runner image, `kubectl exec --namespace NS <TaskManager> --container C -- <helper> <action>
 *   …`, no other container, volume, mount, environment or privilege. Whoever creates it.
 * - people's Jobs: a Job created by someone who may not create pods themselves (the profiler Role) must be
 *   the template's Job: same checks on its pod template, and the runner service account. People who may
 *   create pods could run anything anyway and are not restricted.
 *
 * The helper arguments after the action are not pinned: the helper validates every one of them.
 *
 * Several clusters in one namespace, each with its policies: a people's Job that runs as another cluster's
 * runner account (a name ending in RUNNER_ACCOUNT_SUFFIX, as ProfilingAccess names them by default) is
 * left to that cluster's policy; a Job under any other account is refused by every cluster's policy.
 */
import { JOB_HELPER_ACTIONS } from "./helper-contract.ts";
import type {
  IValidatingAdmissionPolicy,
  IValidatingAdmissionPolicyBinding,
  IValidation,
} from "kubernetes-models/admissionregistration.k8s.io/v1";
import type { ProfilingJobTemplate } from "./profiling-job.ts";
import { RUNNER_ACCOUNT_SUFFIX } from "./profiling-names.ts";
import { requireDnsLabel, requireDnsSubdomain } from "./validation.ts";

export interface AdmissionPolicyOptions {
  /** Prefix of the two policies' and bindings' names (cluster-scoped objects: make it unique per namespace). */
  name: string;
  /** The one namespace the policies apply to (the template's Jobs and the TaskManagers live there). */
  namespace: string;
  /**
   * Where the TaskManager pod names are not known in advance (operator, native mode): the prefix every
   * TaskManager pod name has, e.g. `<cluster-id>-taskmanager-`, so the runner cannot be pointed at the
   * JobManager or any other pod the runner Role could reach. Ignored when the template lists the pods.
   * @default the template's target.podNamePrefix (set by nativeKubernetesTarget and operatorTarget)
   */
  targetPodNamePrefix?: string;
}

export interface AdmissionPolicyObjects {
  policy: IValidatingAdmissionPolicy;
  binding: IValidatingAdmissionPolicyBinding;
}

/** A CEL string literal: JSON's escapes are CEL's for everything a name or image reference can hold. */
const cel = (value: string) => JSON.stringify(value);
const celList = (values: readonly string[]) => `[${values.map(cel).join(", ")}]`;

/** The checks on a pod spec, at `spec` (a CEL path): the template's Job pod and nothing more. */
export function jobPodValidations(
  template: ProfilingJobTemplate,
  namespace: string,
  spec: string,
  podNamePrefix?: string,
): IValidation[] {
  const names = template.target.podNames ?? [];
  podNamePrefix ??= template.target.podNamePrefix;
  const target =
    names.length > 0
      ? `c.command[4] in ${celList(names)}`
      : podNamePrefix
        ? `c.command[4].startsWith(${cel(podNamePrefix)})`
        : "true";
  const noneOf = (field: string) => `(!has(${spec}.${field}) || size(${spec}.${field}) == 0)`;
  return [
    {
      expression: `size(${spec}.containers) == 1 && ${noneOf("initContainers")} && ${noneOf("ephemeralContainers")}`,
      message: "a profiling Job pod runs exactly one container, the template's, and no init or ephemeral containers",
    },
    {
      expression: `${spec}.containers.all(c, c.name == ${cel(template.containerName)} && c.image == ${cel(template.runnerImage)})`,
      message: `a profiling Job pod runs the template's runner image ${template.runnerImage} only`,
    },
    {
      expression:
        `${spec}.containers.all(c, !has(c.args) && has(c.command) && size(c.command) >= 10` +
        ` && c.command[0] == "kubectl" && c.command[1] == "exec" && c.command[2] == "--namespace" && c.command[3] == ${cel(namespace)}` +
        ` && ${target} && c.command[5] == "--container" && c.command[6] == ${cel(template.target.container)}` +
        ` && c.command[7] == "--" && c.command[8] == ${cel(template.helperPath)} && c.command[9] in ${celList([...JOB_HELPER_ACTIONS])})`,
      message: `a profiling Job pod runs only: kubectl exec --namespace ${namespace} <TaskManager pod> --container ${template.target.container} -- ${template.helperPath} ${JOB_HELPER_ACTIONS.join("|")} …`,
    },
    {
      expression:
        `${spec}.containers.all(c, !has(c.envFrom) && has(c.env) && size(c.env) == 1` +
        ` && c.env[0].name == "HOME" && has(c.env[0].value) && c.env[0].value == "/tmp" && !has(c.env[0].valueFrom))`,
      message: "a profiling Job pod has no environment but HOME=/tmp",
    },
    {
      // The projected token volume is the one the API server's ServiceAccount admission adds to the pod.
      expression:
        `!has(${spec}.volumes) || ${spec}.volumes.all(v, (v.name == "tmp" && has(v.emptyDir))` +
        ` || (v.name.startsWith("kube-api-access-") && has(v.projected) && v.projected.sources.all(s,` +
        ` has(s.serviceAccountToken) || has(s.downwardAPI) || (has(s.configMap) && s.configMap.name == "kube-root-ca.crt"))))`,
      message: "a profiling Job pod has no volume but its emptyDir /tmp and its service account token",
    },
    {
      expression:
        `${spec}.containers.all(c, !has(c.volumeMounts) || c.volumeMounts.all(m,` +
        ` (m.name == "tmp" && m.mountPath == "/tmp" && !has(m.subPath) && !has(m.subPathExpr)) || m.name.startsWith("kube-api-access-")))`,
      message: "a profiling Job pod mounts nothing but /tmp and its service account token",
    },
    {
      expression:
        `(!has(${spec}.hostNetwork) || !${spec}.hostNetwork) && (!has(${spec}.hostPID) || !${spec}.hostPID)` +
        ` && (!has(${spec}.hostIPC) || !${spec}.hostIPC) && ${spec}.containers.all(c, has(c.securityContext)` +
        ` && (!has(c.securityContext.privileged) || !c.securityContext.privileged)` +
        ` && has(c.securityContext.allowPrivilegeEscalation) && !c.securityContext.allowPrivilegeEscalation` +
        ` && (!has(c.securityContext.capabilities) || !has(c.securityContext.capabilities.add) || size(c.securityContext.capabilities.add) == 0))`,
      message:
        "a profiling Job pod gets no host namespace, no privilege, no privilege escalation and no added capability",
    },
  ];
}

function binding(name: string, namespace: string): IValidatingAdmissionPolicyBinding {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name },
    spec: {
      policyName: name,
      validationActions: ["Deny"],
      matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } },
    },
  };
}

export function admissionPolicies(
  template: ProfilingJobTemplate,
  options: AdmissionPolicyOptions,
): AdmissionPolicyObjects[] {
  const namespace = requireDnsLabel("namespace", options.namespace);
  const base = requireDnsSubdomain("name", options.name);
  if (base.length > 200) throw new Error("name must be at most 200 characters (the policies add a suffix)");
  if (options.targetPodNamePrefix !== undefined && !/^[a-z0-9][a-z0-9.-]*$/.test(options.targetPodNamePrefix)) {
    throw new Error(
      `targetPodNamePrefix must be the start of a pod name (a-z 0-9 . -); got "${options.targetPodNamePrefix}"`,
    );
  }
  const account = cel(template.serviceAccountName);
  const runnerPods = `${base}-runner-pods`;
  const peoplesJobs = `${base}-peoples-jobs`;
  return [
    {
      policy: {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name: runnerPods },
        spec: {
          failurePolicy: "Fail",
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: [""],
                apiVersions: ["v1"],
                operations: ["CREATE", "UPDATE"],
                resources: ["pods", "pods/ephemeralcontainers"],
              },
            ],
          },
          matchConditions: [
            { name: "uses-the-runner-account", expression: `object.spec.serviceAccountName == ${account}` },
          ],
          validations: jobPodValidations(template, namespace, "object.spec", options.targetPodNamePrefix),
        },
      },
      binding: binding(runnerPods, namespace),
    },
    {
      policy: {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name: peoplesJobs },
        spec: {
          failurePolicy: "Fail",
          matchConstraints: {
            resourceRules: [
              { apiGroups: ["batch"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["jobs"] },
            ],
          },
          matchConditions: [
            {
              name: "by-someone-who-may-not-create-pods",
              expression: `!authorizer.group("").resource("pods").namespace(object.metadata.namespace).check("create").allowed()`,
            },
            {
              name: "not-another-clusters-runner-account",
              expression:
                `!has(object.spec.template.spec.serviceAccountName) || object.spec.template.spec.serviceAccountName == ${account}` +
                ` || !object.spec.template.spec.serviceAccountName.endsWith(${cel(RUNNER_ACCOUNT_SUFFIX)})`,
            },
          ],
          validations: [
            {
              expression: `has(object.spec.template.spec.serviceAccountName) && object.spec.template.spec.serviceAccountName == ${account}`,
              message: `a Job created with the profiler Role runs as the runner service account ${template.serviceAccountName}`,
            },
            ...jobPodValidations(template, namespace, "object.spec.template.spec", options.targetPodNamePrefix),
          ],
        },
      },
      binding: binding(peoplesJobs, namespace),
    },
  ];
}
