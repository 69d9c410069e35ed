// HTTP routing for the Kubernetes REST API subset kubectl uses: discovery, CRUD with
// selectors and watches, pod logs, pod exec, SelfSubjectAccessReview, authn/authz.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { handleExec, offersExecProtocol } from "./exec-websocket.ts";
import { defaultJob, JOBS, podDefaults } from "./jobs.ts";
import { PODS, type Kubelet } from "./kubelet.ts";
import { userFromAuthorization } from "./kubeconfig.ts";
import { decodeProtobufObject, PROTOBUF } from "./protobuf.ts";
import type { Logs } from "./logs.ts";
import type { Container, Processes } from "./processes.ts";
import type { Authorizer } from "./rbac.ts";
import {
  apiGroup,
  coreVersions,
  findResource,
  groupList,
  groupVersion,
  openapiV3GroupVersion,
  openapiV3Root,
  resourceList,
  RESOURCES,
  SERVER_VERSION,
  type ResourceDef,
} from "./resources.ts";
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError } from "./selectors.ts";
import {
  ApiError,
  badRequest,
  forbidden,
  invalid,
  methodNotAllowed,
  namespaceNotFound,
  conflict,
  type Attributes,
} from "./status.ts";
import type { KObject, Store } from "./store.ts";
import { toTable, type IncludeObject } from "./tables.ts";

export const NAMESPACES = findResource("", "v1", "namespaces")!;
const SERVICEACCOUNTS = findResource("", "v1", "serviceaccounts")!;

export type RequestRecord = { method: string; path: string; query: string; user: string; verb?: string; code: number };

export type ServerDeps = {
  store: Store;
  logs: Logs;
  processes: Processes;
  rbac: Authorizer;
  kubelet: Kubelet;
  execKillOnDisconnect: boolean;
  requests: RequestRecord[];
  trace?: (line: string) => void;
};

type Route = { def: ResourceDef; namespace?: string; name?: string; subresource?: string };

class NotFoundPath extends Error {}

function parseRoute(path: string): Route | undefined {
  const segs = path.split("/").filter(Boolean).map(decodeURIComponent);
  let group: string, version: string, rest: string[];
  if (segs[0] === "api" && segs.length >= 3) [group, version, rest] = ["", segs[1], segs.slice(2)];
  else if (segs[0] === "apis" && segs.length >= 4) [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  // /namespaces/X/pods is a namespaced collection; /namespaces/X/status is a namespace's subresource.
  if (rest[0] === "namespaces" && rest.length >= 3 && findResource(group, version, rest[2])?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 3) return undefined;
  const def = findResource(group, version, rest[0]);
  if (!def) return undefined;
  return { def, namespace, name: rest[1], subresource: rest[2] };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** JSON, or the protobuf that kubectl's typed clients send. */
async function readObject(req: IncomingMessage): Promise<unknown> {
  const b = await readBody(req);
  if (String(req.headers["content-type"] ?? "").startsWith(PROTOBUF) && b.length > 0) {
    let o: unknown;
    try {
      o = decodeProtobufObject(b);
    } catch (e) {
      throw badRequest(`the object provided is unrecognized: ${(e as Error).message}`);
    }
    if (o === undefined)
      throw new ApiError(
        415,
        "UnsupportedMediaType",
        `the stand-in cannot decode this kind from ${PROTOBUF}; send JSON`,
      );
    return o;
  }
  return parseJson(b);
}

async function readDeleteOptions(req: IncomingMessage): Promise<Record<string, unknown>> {
  const b = await readBody(req);
  // A protobuf DeleteOptions only ever carries what the query string can carry too.
  if (String(req.headers["content-type"] ?? "").startsWith(PROTOBUF)) return {};
  return { ...((parseJson(b) as Record<string, unknown>) ?? {}) };
}

function parseJson(b: Buffer): unknown {
  if (b.length === 0) return undefined;
  try {
    return JSON.parse(b.toString());
  } catch (e) {
    throw badRequest(`the object provided is unrecognized: ${(e as Error).message}`);
  }
}

function sendJson(res: ServerResponse, code: number, body: unknown) {
  const s = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(s) });
  res.end(s);
}

function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(String(req.headers.accept ?? ""));
}

/** JSON merge patch (RFC 7386); strategic merge patches are applied the same way (lists replace). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (
      k === "$patch" ||
      k.startsWith("$setElementOrder") ||
      k.startsWith("$deleteFromPrimitiveList") ||
      k === "$retainKeys"
    )
      continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function jsonPatch(target: unknown, ops: Array<{ op: string; path: string; value?: unknown; from?: string }>): unknown {
  const doc = structuredClone(target) as Record<string, unknown>;
  for (const op of ops) {
    const parts = op.path
      .split("/")
      .slice(1)
      .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = parts.pop()!;
    let parent: Record<string, unknown> | unknown[] = doc;
    for (const p of parts) {
      const next: unknown = (parent as Record<string, unknown>)[p];
      if (next === undefined && op.op === "add") (parent as Record<string, unknown>)[p] = {};
      parent = (parent as Record<string, unknown>)[p] as Record<string, unknown>;
      if (parent === undefined)
        throw new ApiError(
          422,
          "Invalid",
          `jsonpatch ${op.op} operation does not apply: doc is missing path: "${op.path}"`,
        );
    }
    if (op.op === "test") {
      if (JSON.stringify((parent as Record<string, unknown>)[last]) !== JSON.stringify(op.value))
        throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request`);
    } else if (op.op === "remove") {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (op.op === "add" || op.op === "replace") {
      if (Array.isArray(parent)) {
        if (last === "-") parent.push(op.value);
        else if (op.op === "add") parent.splice(Number(last), 0, op.value);
        else parent[Number(last)] = op.value;
      } else parent[last] = op.value;
    } else throw badRequest(`unsupported json patch operation ${op.op}`);
  }
  return doc;
}

export class ApiServer {
  private d: ServerDeps;
  private baseUrl = "";

  constructor(deps: ServerDeps) {
    this.d = deps;
  }

  setBaseUrl(url: string) {
    this.baseUrl = url;
  }

  private authenticate(req: IncomingMessage): string {
    const u = userFromAuthorization(req.headers.authorization);
    if (u === undefined) throw new ApiError(401, "Unauthorized", "Unauthorized");
    const user = u ?? "system:anonymous";
    const as = req.headers["impersonate-user"];
    if (typeof as === "string" && as !== "") {
      const a: Attributes = { user, verb: "impersonate", group: "", resource: "users", name: as };
      if (!this.d.rbac.check(a).allowed) throw forbidden(a);
      return as;
    }
    return user;
  }

  private authorize(a: Attributes) {
    const decision = this.d.rbac.check(a);
    if (!decision.allowed) throw forbidden(a, decision.reason);
  }

  private record(req: IncomingMessage, user: string, verb: string | undefined, code: number) {
    const u = new URL(req.url ?? "/", "http://standin");
    this.d.requests.push({ method: req.method ?? "", path: u.pathname, query: u.search, user, verb, code });
    this.d.trace?.(`${req.method} ${req.url} user=${user} → ${code}`);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let user = "?";
    let verb: string | undefined;
    try {
      user = this.authenticate(req);
      const url = new URL(req.url ?? "/", "http://standin");
      const path = url.pathname.replace(/\/+$/, "") || "/";
      if (req.method === "GET" && this.discovery(path, res)) return this.record(req, user, "get", 200);
      if (path === "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" && req.method === "POST") {
        verb = "create";
        return await this.selfSubjectAccessReview(req, res, user);
      }
      const route = parseRoute(path);
      if (!route) throw new NotFoundPath();
      const q = url.searchParams;
      const watch = q.get("watch") === "true" || q.get("watch") === "1";
      verb = verbFor(req.method ?? "GET", route, watch);
      this.authorize({
        user,
        verb,
        group: route.def.group,
        resource: route.def.resource,
        subresource: route.subresource,
        namespace: route.namespace,
        name: route.name,
      });
      await this.dispatch(req, res, route, verb, q);
      this.record(req, user, verb, res.statusCode);
    } catch (e) {
      this.fail(req, res, e, user, verb);
    }
  }

  private fail(req: IncomingMessage, res: ServerResponse, e: unknown, user: string, verb: string | undefined) {
    let err: ApiError;
    if (e instanceof ApiError) err = e;
    else if (e instanceof SelectorError) err = badRequest(e.message);
    else if (e instanceof NotFoundPath) {
      this.record(req, user, verb, 404);
      if (!res.headersSent) {
        res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
        res.end("404 page not found\n");
      }
      return;
    } else err = new ApiError(500, "InternalError", `Internal error occurred: ${(e as Error)?.stack ?? e}`);
    this.record(req, user, verb, err.code);
    if (res.headersSent) res.end();
    else sendJson(res, err.code, err.toStatus());
  }

  private discovery(path: string, res: ServerResponse): boolean {
    let body: unknown;
    if (path === "/version") body = SERVER_VERSION;
    else if (path === "/api") body = coreVersions(this.baseUrl.replace(/^https?:\/\//, ""));
    else if (path === "/apis") body = groupList();
    else if (path === "/api/v1") body = resourceList("", "v1");
    else if (/^\/apis\/[^/]+$/.test(path)) body = apiGroup(path.split("/")[2]);
    else if (/^\/apis\/[^/]+\/[^/]+$/.test(path)) body = resourceList(path.split("/")[2], path.split("/")[3]);
    else if (path === "/openapi/v3") body = openapiV3Root();
    else if (path.startsWith("/openapi/v3/")) body = openapiV3GroupVersion(path.slice("/openapi/v3/".length));
    else if (path === "/healthz" || path === "/readyz" || path === "/livez") {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("ok");
      return true;
    } else return false;
    if (body === undefined) return false;
    sendJson(res, 200, body);
    return true;
  }

  private async selfSubjectAccessReview(req: IncomingMessage, res: ServerResponse, user: string) {
    const body = (await readObject(req)) as KObject;
    const ra = body?.spec?.resourceAttributes;
    let allowed = true;
    let reason: string | undefined;
    if (ra) {
      const sub = ra.subresource || undefined;
      const decision = this.d.rbac.check({
        user,
        verb: ra.verb ?? "",
        group: ra.group ?? "",
        resource: ra.resource ?? "",
        subresource: sub,
        namespace: ra.namespace || undefined,
        name: ra.name || undefined,
      });
      allowed = decision.allowed;
      reason = decision.reason;
    }
    sendJson(res, 201, {
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: { creationTimestamp: null },
      spec: body?.spec ?? {},
      status: { allowed, ...(reason ? { reason } : {}) },
    });
    this.record(req, user, "create", 201);
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, r: Route, verb: string, q: URLSearchParams) {
    const { def } = r;
    const { store } = this.d;
    const labels = parseLabelSelector(q.get("labelSelector"));
    const fields = parseFieldSelector(q.get("fieldSelector"));
    const include = (q.get("includeObject") ?? "Metadata") as IncludeObject;
    if (r.subresource === "log") return this.serveLog(req, res, r, q);
    if (r.subresource === "exec") throw badRequest("Upgrade request required");
    if (r.subresource && r.subresource !== "status") throw new NotFoundPath();

    switch (verb) {
      case "get": {
        const o = store.mustGet(def, r.namespace, r.name!);
        return sendJson(res, 200, wantsTable(req) ? toTable(def, [o], include, true, o.metadata.resourceVersion) : o);
      }
      case "list": {
        const items = store
          .list(def, r.namespace)
          .filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o));
        const rv = String(store.rv);
        if (wantsTable(req)) return sendJson(res, 200, toTable(def, items, include, true, rv));
        return sendJson(res, 200, {
          kind: `${def.kind}List`,
          apiVersion: groupVersion(def),
          metadata: { resourceVersion: rv },
          items,
        });
      }
      case "watch":
        return this.serveWatch(req, res, r, q, labels, fields, include);
      case "create": {
        const body = (await readObject(req)) as KObject;
        const created = this.create(def, r.namespace, body, q.get("dryRun") === "All");
        return sendJson(res, 201, created);
      }
      case "update":
      case "patch": {
        const raw = await readBody(req);
        const current = store.mustGet(def, r.namespace, r.name!);
        let next: KObject;
        if (verb === "update") {
          next = parseJson(raw) as KObject;
          if (next?.metadata?.name !== r.name)
            throw badRequest("the name of the object does not match the name on the URL");
          if (next.metadata.resourceVersion && next.metadata.resourceVersion !== current.metadata.resourceVersion)
            throw conflict(def, r.name!);
        } else {
          const type = String(req.headers["content-type"] ?? "");
          const patch = parseJson(raw);
          next = (
            type.includes("json-patch") ? jsonPatch(current, patch as []) : mergePatch(current, patch)
          ) as KObject;
        }
        // The main resource cannot change status and the status subresource cannot change anything else.
        const merged: KObject =
          r.subresource === "status"
            ? { ...current, status: next.status }
            : {
                ...next,
                ...(current.status !== undefined && (def === PODS || def === JOBS) ? { status: current.status } : {}),
              };
        merged.metadata = {
          ...(r.subresource === "status" ? current.metadata : next.metadata),
          name: current.metadata.name,
          namespace: current.metadata.namespace,
          uid: current.metadata.uid,
          creationTimestamp: current.metadata.creationTimestamp,
          resourceVersion: current.metadata.resourceVersion,
          generation:
            (current.metadata.generation ?? 1) +
            (JSON.stringify(next.spec) !== JSON.stringify(current.spec) && r.subresource !== "status" ? 1 : 0),
        };
        if (q.get("dryRun") === "All") return sendJson(res, 200, merged);
        return sendJson(res, 200, store.update(def, merged));
      }
      case "delete": {
        const opts = await readDeleteOptions(req);
        for (const k of ["propagationPolicy", "gracePeriodSeconds", "dryRun"])
          if (q.has(k)) opts[k] = k === "gracePeriodSeconds" ? Number(q.get(k)) : q.get(k);
        const out = await this.deleteObject(def, r.namespace, r.name!, opts);
        return sendJson(res, 200, out);
      }
      case "deletecollection": {
        const opts = await readDeleteOptions(req);
        for (const k of ["propagationPolicy", "gracePeriodSeconds"])
          if (q.has(k)) opts[k] = k === "gracePeriodSeconds" ? Number(q.get(k)) : q.get(k);
        const victims = store
          .list(def, r.namespace)
          .filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o));
        const items = [];
        for (const v of victims)
          items.push(await this.deleteObject(def, v.metadata.namespace, v.metadata.name, opts).catch(() => v));
        return sendJson(res, 200, {
          kind: `${def.kind}List`,
          apiVersion: groupVersion(def),
          metadata: { resourceVersion: String(store.rv) },
          items,
        });
      }
    }
    throw methodNotAllowed();
  }

  /** Admission (defaults and the validations scripts can trip over) + storage. Also used by fixtures. */
  create(def: ResourceDef, namespace: string | undefined, body: KObject, dryRun = false): KObject {
    const { store } = this.d;
    if (!body || typeof body !== "object" || !body.metadata)
      throw badRequest("Object 'metadata' is missing in the request body");
    if (body.kind && body.kind !== def.kind)
      throw badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${groupVersion(def)})`,
      );
    const obj = structuredClone(body);
    if (def.namespaced) {
      const ns = namespace ?? obj.metadata.namespace ?? "default";
      if (obj.metadata.namespace && obj.metadata.namespace !== ns)
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      obj.metadata.namespace = ns;
      const nsObj = store.get(NAMESPACES, undefined, ns);
      if (!nsObj) throw namespaceNotFound(ns);
      if (nsObj.status?.phase === "Terminating")
        throw new ApiError(
          403,
          "Forbidden",
          `${def.resource} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        );
    } else delete obj.metadata.namespace;
    const name = obj.metadata.name ?? "";
    if (!name && !obj.metadata.generateName)
      throw invalid(def, "", "metadata.name", "Required value: name or generateName is required");
    if (name && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name))
      throw invalid(
        def,
        name,
        "metadata.name",
        `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      );
    let prepare: ((o: KObject) => void) | undefined;
    if (def === PODS) {
      validateContainers(def, name, obj.spec?.containers, "spec.containers");
      obj.spec = podDefaults(obj.spec);
      obj.status = { phase: "Pending", qosClass: "BestEffort" };
      delete obj.spec.nodeName;
    } else if (def === JOBS) {
      const tspec = obj.spec?.template?.spec;
      validateContainers(def, name, tspec?.containers, "spec.template.spec.containers");
      if (tspec.restartPolicy !== "Never" && tspec.restartPolicy !== "OnFailure")
        throw invalid(
          def,
          name,
          "spec.template.spec.restartPolicy",
          `${tspec.restartPolicy ? `Unsupported value: "${tspec.restartPolicy}"` : "Required value"}: supported values: "OnFailure", "Never"`,
        );
      podDefaults(tspec);
      prepare = defaultJob;
    } else if (def === NAMESPACES) {
      obj.spec = { finalizers: ["kubernetes"] };
      obj.status = { phase: "Active" };
      prepare = (o) => {
        o.metadata.labels = { ...o.metadata.labels, "kubernetes.io/metadata.name": o.metadata.name };
      };
    }
    if (dryRun) {
      const o = structuredClone(obj);
      o.apiVersion = groupVersion(def);
      o.kind = def.kind;
      o.metadata.uid = "00000000-0000-0000-0000-000000000000";
      prepare?.(o);
      return o;
    }
    const created = store.create(def, obj, prepare);
    if (def === NAMESPACES)
      store.create(SERVICEACCOUNTS, { metadata: { name: "default", namespace: created.metadata.name } });
    return created;
  }

  /**
   * Deletion with the API server's garbage-collection semantics: Background removes the owner
   * and then its dependents, Foreground removes dependents first, Orphan (the legacy default for
   * batch/v1 Jobs when the client says nothing) keeps them.
   */
  async deleteObject(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    opts: Record<string, unknown>,
  ): Promise<KObject | object> {
    const { store, kubelet } = this.d;
    const obj = store.mustGet(def, namespace, name);
    if (opts.dryRun === "All" || (Array.isArray(opts.dryRun) && opts.dryRun.includes("All"))) return obj;
    const policy =
      (opts.propagationPolicy as string | undefined) ??
      (opts.orphanDependents === true || def === JOBS ? "Orphan" : "Background");
    const grace = typeof opts.gracePeriodSeconds === "number" ? opts.gracePeriodSeconds : undefined;
    if (def === PODS) return kubelet.deletePod(namespace!, name, grace);
    if (def === NAMESPACES) return this.deleteNamespace(name);
    const dependents = () =>
      store
        .list(PODS, namespace)
        .filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.uid === obj.metadata.uid));
    if (policy === "Foreground") {
      store.mutate(def, namespace, name, (o) => {
        o.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
        o.metadata.finalizers = ["foregroundDeletion"];
      });
      const pods = dependents();
      await Promise.all(pods.map((p) => kubelet.deletePod(namespace!, p.metadata.name, grace).catch(() => {})));
      await Promise.all(pods.map((p) => kubelet.waitGone(namespace!, p.metadata.name)));
      store.remove(def, namespace, name);
      return { ...obj, metadata: { ...obj.metadata, deletionTimestamp: new Date().toISOString() } };
    }
    store.remove(def, namespace, name);
    if (policy === "Background")
      for (const p of dependents()) void kubelet.deletePod(namespace!, p.metadata.name, grace).catch(() => {});
    else
      for (const p of dependents())
        store.mutate(PODS, namespace, p.metadata.name, (o) => {
          o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== obj.metadata.uid);
        });
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name, ...(def.group ? { group: def.group } : {}), kind: def.resource, uid: obj.metadata.uid },
    };
  }

  private async deleteNamespace(name: string): Promise<KObject> {
    const { store } = this.d;
    const marked = store.mutate(NAMESPACES, undefined, name, (o) => {
      o.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      o.status = { phase: "Terminating" };
    })!;
    void (async () => {
      for (const def of [JOBS, PODS])
        for (const o of store.list(def, name))
          await this.deleteObject(def, name, o.metadata.name, {
            propagationPolicy: "Background",
            gracePeriodSeconds: 0,
          }).catch(() => {});
      for (const p of store.list(PODS, name)) await this.d.kubelet.waitGone(name, p.metadata.name);
      for (const def of RESOURCES)
        if (def.namespaced) for (const o of store.list(def, name)) store.remove(def, name, o.metadata.name);
      store.remove(NAMESPACES, undefined, name);
    })().catch(() => {});
    return marked;
  }

  private serveWatch(
    req: IncomingMessage,
    res: ServerResponse,
    r: Route,
    q: URLSearchParams,
    labels: ReturnType<typeof parseLabelSelector>,
    fields: ReturnType<typeof parseFieldSelector>,
    include: IncludeObject,
  ) {
    const { store } = this.d;
    const table = wantsTable(req);
    const matches = (o: KObject) =>
      (r.namespace === undefined || o.metadata.namespace === r.namespace) &&
      (r.name === undefined || o.metadata.name === r.name) &&
      matchesLabels(labels, o.metadata.labels) &&
      matchesFields(fields, o);
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Cache-Control": "no-cache, private",
      "Transfer-Encoding": "chunked",
    });
    res.flushHeaders();
    let headersSent = false;
    const send = (type: string, object: unknown) => {
      let payload = object;
      if (table && type !== "ERROR" && type !== "BOOKMARK") {
        payload = toTable(
          r.def,
          [object as KObject],
          include,
          !headersSent,
          (object as KObject).metadata.resourceVersion,
        );
        headersSent = true;
      }
      res.write(`${JSON.stringify({ type, object: payload })}\n`);
    };
    const rvParam = q.get("resourceVersion");
    if (rvParam && rvParam !== "0" && q.get("sendInitialEvents") !== "true") {
      const events = store.since(Number(rvParam));
      if (!events) {
        send("ERROR", new ApiError(410, "Expired", `too old resource version: ${rvParam} (${store.rv})`).toStatus());
        return res.end();
      }
      for (const e of events) if (e.def === r.def && matches(e.object)) send(e.type, e.object);
    } else {
      for (const o of store.list(r.def, r.namespace)) if (matches(o)) send("ADDED", o);
      if (q.get("sendInitialEvents") === "true")
        send("BOOKMARK", {
          kind: r.def.kind,
          apiVersion: groupVersion(r.def),
          metadata: { resourceVersion: String(store.rv), annotations: { "k8s.io/initial-events-end": "true" } },
        });
    }
    const off = store.subscribe((e) => {
      if (e.def === r.def && matches(e.object)) send(e.type, e.object);
    });
    const timeout = Number(q.get("timeoutSeconds") ?? 1800);
    const timer = setTimeout(() => {
      off();
      res.end();
    }, timeout * 1000);
    timer.unref();
    const stop = () => {
      off();
      clearTimeout(timer);
    };
    req.on("close", stop);
    res.on("close", stop);
  }

  private resolveContainer(pod: KObject, requested: string | null): Container {
    const containers: Container[] = pod.spec?.containers ?? [];
    const name = requested || pod.metadata.annotations?.["kubectl.kubernetes.io/default-container"];
    if (!name) {
      if (containers.length === 1) return containers[0];
      throw badRequest(
        `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.map((c) => c.name).join(" ")}]`,
      );
    }
    const c = containers.find((x) => x.name === name);
    if (!c) throw badRequest(`container ${name} is not valid for pod ${pod.metadata.name}`);
    return c;
  }

  private serveLog(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams) {
    const pod = this.d.store.mustGet(PODS, r.namespace, r.name!);
    const c = this.resolveContainer(pod, q.get("container"));
    const status = (pod.status?.containerStatuses ?? []).find((s: { name: string }) => s.name === c.name);
    const waiting = status?.state?.waiting?.reason ?? (status ? undefined : "ContainerCreating");
    if (waiting) {
      const why = /ImagePull|ErrImage/.test(waiting) ? "trying and failing to pull image" : waiting;
      throw badRequest(`container "${c.name}" in pod "${pod.metadata.name}" is waiting to start: ${why}`);
    }
    const num = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
    this.d.logs.serve(req, res, r.namespace!, r.name!, c.name, {
      follow: q.get("follow") === "true",
      tailLines: num("tailLines"),
      limitBytes: num("limitBytes"),
    });
  }

  /** WebSocket upgrade for pods/exec. SPDY (kubectl's fallback) is answered with an error. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let user = "?";
    const reject = (e: unknown) => {
      const err = e instanceof ApiError ? e : new ApiError(500, "InternalError", String(e));
      this.record(req, user, "create", err.code);
      const body = JSON.stringify(err.toStatus());
      socket.end(
        `HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    try {
      user = this.authenticate(req);
      const url = new URL(req.url ?? "/", "http://standin");
      const r = parseRoute(url.pathname);
      if (!r || r.def !== PODS || r.subresource !== "exec" || !r.name)
        throw new ApiError(404, "NotFound", "the server could not find the requested resource");
      this.authorize({
        user,
        verb: "create",
        group: "",
        resource: "pods",
        subresource: "exec",
        namespace: r.namespace,
        name: r.name,
      });
      const pod = this.d.store.mustGet(PODS, r.namespace, r.name);
      const q = url.searchParams;
      const c = this.resolveContainer(pod, q.get("container"));
      const phase = pod.status?.phase;
      if (phase === "Succeeded" || phase === "Failed")
        throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
      const st = (pod.status?.containerStatuses ?? []).find((s: { name: string }) => s.name === c.name);
      if (phase !== "Running" || !st?.state?.running)
        throw badRequest(`unable to upgrade connection: container not found ("${c.name}")`);
      const argv = q.getAll("command");
      if (argv.length === 0) throw badRequest("you must specify at least 1 command");
      // Checked last so that kubectl's SPDY retry after a failed WebSocket upgrade gets the same error.
      if (String(req.headers.upgrade ?? "").toLowerCase() !== "websocket" || !offersExecProtocol(req))
        throw badRequest(
          "unable to upgrade connection: this stand-in serves exec over WebSocket (v5.channel.k8s.io/v4.channel.k8s.io) only",
        );
      const { env, cwd } = this.d.kubelet.processSetup(pod, c);
      this.record(req, user, "create", 101);
      handleExec(req, socket, head, this.d.processes, {
        argv,
        env,
        cwd,
        stdin: q.get("stdin") === "true" || q.get("input") === "1",
        stdout: q.get("stdout") !== "false" && q.get("output") !== "0",
        stderr: q.get("stderr") !== "false" && q.get("error") !== "0",
        killOnDisconnect: this.d.execKillOnDisconnect,
      });
    } catch (e) {
      reject(e);
    }
  }
}

function verbFor(method: string, r: Route, watch: boolean): string {
  switch (method) {
    case "GET":
      if (r.subresource === "exec") return "create";
      return r.name ? "get" : watch ? "watch" : "list";
    case "POST":
      if (r.name && !r.subresource) throw methodNotAllowed();
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return r.name ? "delete" : "deletecollection";
  }
  throw methodNotAllowed();
}

function validateContainers(def: ResourceDef, name: string, containers: unknown, field: string) {
  if (!Array.isArray(containers) || containers.length === 0) throw invalid(def, name, field, "Required value");
  containers.forEach((c: Container, i) => {
    if (!c?.name) throw invalid(def, name, `${field}[${i}].name`, "Required value");
    if (!c.image) throw invalid(def, name, `${field}[${i}].image`, "Required value");
  });
}
