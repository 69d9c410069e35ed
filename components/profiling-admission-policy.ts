/**
 * ProfilingAdmissionPolicy (opt-in): the API server admits a profiling Job only as the template made it.
 * See admission-policy.ts for what the two policies check and why. Needs Kubernetes 1.30+
 * (admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy) and the right to create cluster-scoped
 * policies and bindings; each binding applies to the one namespace only.
 *
 *   const access = new ProfilingAccess("profiling", { ... });
 *   new ProfilingAdmissionPolicy("profiling", { namespace: "flink", templateJson: access.templateJson });
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { admissionPolicies } from "./admission-policy.ts";
import { MANAGED_BY, parseTemplate } from "./profiling-job.ts";
import { requireDnsLabel } from "./validation.ts";

export interface ProfilingAdmissionPolicyArgs {
  /** The namespace of the Flink deployment and its profiling Jobs. */
  namespace: string;
  /** The Job template as stored by ProfilingAccess (its `templateJson` output). */
  templateJson: pulumi.Input<string>;
  /** Operator and native mode: the prefix of every TaskManager pod name. @default the template's target.podNamePrefix */
  targetPodNamePrefix?: string;
}

export class ProfilingAdmissionPolicy extends pulumi.ComponentResource {
  /** Names of the cluster-scoped policies (each has a binding of the same name). */
  readonly policyNames: pulumi.Output<string[]>;

  constructor(name: string, args: ProfilingAdmissionPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    const namespace = requireDnsLabel("namespace", args.namespace);
    super("flink-profiling:index:ProfilingAdmissionPolicy", name, {}, opts);
    const parent = { parent: this };
    const labels = { ...MANAGED_BY, "app.kubernetes.io/part-of": name };
    // Cluster-scoped names: the namespace keeps two deployments' policies apart.
    const base = `flink-profiling-${namespace}-${name}`;
    const objects = pulumi.output(args.templateJson).apply((json) =>
      admissionPolicies(parseTemplate(json), {
        name: base,
        namespace,
        targetPodNamePrefix: args.targetPodNamePrefix,
      }),
    );
    // Two policies, always: their names are known before the template is, so the resources are too.
    this.policyNames = objects.apply((o) => o.map((p) => p.policy.metadata!.name!));
    for (const index of [0, 1]) {
      const object = objects.apply((o) => o[index]!);
      const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
        `${name}-${index}`,
        {
          metadata: object.apply((o) => ({ ...o.policy.metadata, labels })),
          spec: object.apply(
            (o) => o.policy.spec as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicySpec,
          ),
        },
        parent,
      );
      new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
        `${name}-${index}`,
        {
          metadata: object.apply((o) => ({ ...o.binding.metadata, labels })),
          spec: object.apply(
            (o) => o.binding.spec as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec,
          ),
        },
        { parent: this, dependsOn: [policy] },
      );
    }
    this.registerOutputs({ policyNames: this.policyNames });
  }
}
