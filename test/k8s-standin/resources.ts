// The resource types the stand-in serves, and the discovery documents kubectl reads to map
// names like `jobs`, `job.batch` or `cm` onto URLs.

export type ResourceDef = {
  group: string;
  version: string;
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  subresources?: Array<{ name: string; verbs: string[]; kind?: string }>;
};

const CRUD = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export const RESOURCES: ResourceDef[] = [
  {
    group: "",
    version: "v1",
    resource: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    namespaced: false,
    shortNames: ["ns"],
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  },
  {
    group: "",
    version: "v1",
    resource: "configmaps",
    singular: "configmap",
    kind: "ConfigMap",
    namespaced: true,
    shortNames: ["cm"],
    verbs: CRUD,
  },
  { group: "", version: "v1", resource: "secrets", singular: "secret", kind: "Secret", namespaced: true, verbs: CRUD },
  {
    group: "",
    version: "v1",
    resource: "serviceaccounts",
    singular: "serviceaccount",
    kind: "ServiceAccount",
    namespaced: true,
    shortNames: ["sa"],
    verbs: CRUD,
  },
  {
    group: "",
    version: "v1",
    resource: "events",
    singular: "event",
    kind: "Event",
    namespaced: true,
    shortNames: ["ev"],
    verbs: CRUD,
  },
  {
    group: "",
    version: "v1",
    resource: "pods",
    singular: "pod",
    kind: "Pod",
    namespaced: true,
    shortNames: ["po"],
    categories: ["all"],
    verbs: CRUD,
    subresources: [
      { name: "log", verbs: ["get"] },
      { name: "exec", verbs: ["create", "get"], kind: "PodExecOptions" },
      { name: "status", verbs: ["get", "patch", "update"] },
    ],
  },
  {
    group: "batch",
    version: "v1",
    resource: "jobs",
    singular: "job",
    kind: "Job",
    namespaced: true,
    categories: ["all"],
    verbs: CRUD,
    subresources: [{ name: "status", verbs: ["get", "patch", "update"] }],
  },
  {
    group: "apps",
    version: "v1",
    resource: "statefulsets",
    singular: "statefulset",
    kind: "StatefulSet",
    namespaced: true,
    shortNames: ["sts"],
    categories: ["all"],
    verbs: CRUD,
  },
  {
    group: "apps",
    version: "v1",
    resource: "deployments",
    singular: "deployment",
    kind: "Deployment",
    namespaced: true,
    shortNames: ["deploy"],
    categories: ["all"],
    verbs: CRUD,
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "roles",
    singular: "role",
    kind: "Role",
    namespaced: true,
    verbs: CRUD,
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "rolebindings",
    singular: "rolebinding",
    kind: "RoleBinding",
    namespaced: true,
    verbs: CRUD,
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "clusterroles",
    singular: "clusterrole",
    kind: "ClusterRole",
    namespaced: false,
    verbs: CRUD,
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "clusterrolebindings",
    singular: "clusterrolebinding",
    kind: "ClusterRoleBinding",
    namespaced: false,
    verbs: CRUD,
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    resource: "selfsubjectaccessreviews",
    singular: "selfsubjectaccessreview",
    kind: "SelfSubjectAccessReview",
    namespaced: false,
    verbs: ["create"],
  },
];

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function groupVersion(def: { group: string; version: string }): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** `jobs.batch`, `pods`: the form the API server uses in error messages. */
export function qualifiedResource(def: { group: string; resource: string }): string {
  return def.group ? `${def.resource}.${def.group}` : def.resource;
}

export const SERVER_VERSION = {
  major: "1",
  minor: "32",
  // kubectl here is a dispatcher that picks a client matching the server's minor version.
  gitVersion: "v1.32.4",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2025-04-22T00:00:00Z",
  goVersion: "go1.23.6",
  compiler: "gc",
  platform: "linux/amd64",
};

export function coreVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

export function groupList() {
  const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => `${r.group}/${r.version}`))].map((gv) => {
    const [name, version] = gv.split("/");
    const v = { groupVersion: gv, version };
    return { name, versions: [v], preferredVersion: v };
  });
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

export function apiGroup(name: string) {
  const g = groupList().groups.find((x) => x.name === name);
  return g && { kind: "APIGroup", apiVersion: "v1", ...g };
}

export function resourceList(group: string, version: string) {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (defs.length === 0) return undefined;
  const resources = defs.flatMap((d) => [
    {
      name: d.resource,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.verbs,
      ...(d.shortNames ? { shortNames: d.shortNames } : {}),
      ...(d.categories ? { categories: d.categories } : {}),
    },
    ...(d.subresources ?? []).map((s) => ({
      name: `${d.resource}/${s.name}`,
      singularName: "",
      namespaced: d.namespaced,
      kind: s.kind ?? d.kind,
      verbs: s.verbs,
    })),
  ]);
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersion({ group, version }), resources };
}

// kubectl create/apply validate manifests with the server's field validation when the
// OpenAPI v3 document says the kind's PATCH operation takes `fieldValidation` (that is the
// operation kubectl's check looks at); otherwise they fall back to /openapi/v2 for client-side
// validation, and without it fail with "failed to download openapi". A document with those
// operations and no schemas is enough.
function gvPath(def: { group: string; version: string }): string {
  return def.group ? `apis/${def.group}/${def.version}` : `api/${def.version}`;
}

export function openapiV3Root() {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const d of RESOURCES) paths[gvPath(d)] = { serverRelativeURL: `/openapi/v3/${gvPath(d)}?hash=standin` };
  return { paths };
}

export function openapiV3GroupVersion(path: string) {
  const defs = RESOURCES.filter((d) => gvPath(d) === path);
  if (defs.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const d of defs) {
    const collection = `/${gvPath(d)}${d.namespaced ? "/namespaces/{namespace}" : ""}/${d.resource}`;
    const op = (action: string, id: string) => ({
      operationId: id,
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": { group: d.group, version: d.version, kind: d.kind },
      parameters: ["dryRun", "fieldManager", "fieldValidation"].map((name) => ({
        name,
        in: "query",
        schema: { type: "string", uniqueItems: true },
      })),
      responses: {},
    });
    paths[collection] = { post: op("post", `create${d.kind}`) };
    paths[`${collection}/{name}`] = { patch: op("patch", `patch${d.kind}`) };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.4" }, paths, components: { schemas: {} } };
}
