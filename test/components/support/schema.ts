/**
 * Validation against the Kubernetes OpenAPI schemas, through kubernetes-models (a schema package from
 * the npm registry). The schemas check types, enums and required fields; like the API server's own
 * OpenAPI, they do not reject unknown fields, so the tests also assert on the fields that matter.
 */
import { ConfigMap, Namespace, Pod, Service, ServiceAccount } from "kubernetes-models/v1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import {
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
} from "kubernetes-models/admissionregistration.k8s.io/v1";

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Pod": Pod,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "batch/v1/Job": Job,
  "rbac.authorization.k8s.io/v1/Role": Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding,
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": ValidatingAdmissionPolicy,
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": ValidatingAdmissionPolicyBinding,
};

/** Throws with the schema's message when `object` is not a valid Kubernetes object of its kind. */
export function validateKubernetesObject(object: object): void {
  const { apiVersion, kind } = object as { apiVersion?: string; kind?: string };
  const model = MODELS[`${apiVersion}/${kind}`];
  if (!model) throw new Error(`no schema registered for ${apiVersion} ${kind}`);
  new model(object).validate();
}
