/**
 * The two Roles of profiling, as pure data so the tests can read them without Pulumi.
 *
 * - The runner Role belongs to the profiling Job's service account: it may exec into the TaskManagers
 *   and nothing else. With known pod names it is limited to exactly those pods.
 * - The profiler Role belongs to people: they start and delete profiling Jobs, read pods, logs and the
 *   template. They get no exec, attach or port-forward of their own.
 */
import type { IPolicyRule } from "kubernetes-models/rbac.authorization.k8s.io/v1";

export function runnerRules(podNames?: string[]): IPolicyRule[] {
  const names = podNames && podNames.length > 0 ? { resourceNames: [...podNames] } : {};
  return [
    // kubectl exec reads the pod first to check the container exists.
    { apiGroups: [""], resources: ["pods"], verbs: ["get"], ...names },
    // Exec over SPDY is a POST (create); over WebSocket, kubectl's default since 1.31, it is a GET, which
    // newer API servers also check against create: both verbs, on the exec subresource only.
    { apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"], ...names },
  ];
}

/** `templateConfigMapName`: this cluster's template only (profiling-names.ts), not every cluster's in the namespace. */
export function profilerRules(templateConfigMapName: string): IPolicyRule[] {
  return [
    { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "delete", "get", "list", "watch"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
    // The results travel in the Job pod's log.
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
    { apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNames: [templateConfigMapName] },
    // Why a Job does not start (scheduling, image pulls) is told in events.
    { apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"] },
  ];
}

export interface Subject {
  kind: "User" | "Group" | "ServiceAccount";
  name: string;
  apiGroup?: string;
  namespace?: string;
}

export function peopleSubjects(users: string[] = [], groups: string[] = []): Subject[] {
  for (const name of [...users, ...groups]) {
    if (typeof name !== "string" || name.trim() === "")
      throw new Error("profilers: user and group names must be non-empty strings");
  }
  return [
    ...users.map((name): Subject => ({ kind: "User", apiGroup: "rbac.authorization.k8s.io", name })),
    ...groups.map((name): Subject => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name })),
  ];
}
