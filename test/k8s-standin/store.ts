// In-memory object storage with one resourceVersion counter for everything (like etcd's
// revision), an event history so watches can resume from a resourceVersion, and synchronous
// subscribers so controllers see every change in order.
import { randomUUID } from "node:crypto";
import { groupVersion, type ResourceDef } from "./resources.ts";
import { alreadyExists, notFound } from "./status.ts";

export type OwnerReference = {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
};

export type Meta = {
  name: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
};

// Spec and status shapes vary per kind; controllers read them loosely on purpose.
export type KObject = { apiVersion?: string; kind?: string; metadata: Meta; [field: string]: any };

export type WatchType = "ADDED" | "MODIFIED" | "DELETED";
export type StoreEvent = { rv: number; type: WatchType; def: ResourceDef; object: KObject };

const HISTORY_LIMIT = 20_000;
const SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** The random suffix the API server appends for generateName (and the Job controller for pods). */
export function randomSuffix(n = 5): string {
  let s = "";
  for (let i = 0; i < n; i++) s += SUFFIX_CHARS[Math.floor(Math.random() * SUFFIX_CHARS.length)];
  return s;
}

export const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

const key = (def: ResourceDef) => `${def.group}/${def.resource}`;
const objKey = (ns: string | undefined, name: string) => `${ns ?? ""}/${name}`;

export class Store {
  rv = 1;
  private tables = new Map<string, Map<string, KObject>>();
  private history: StoreEvent[] = [];
  private subscribers = new Set<(e: StoreEvent) => void>();

  private table(def: ResourceDef): Map<string, KObject> {
    let t = this.tables.get(key(def));
    if (!t) this.tables.set(key(def), (t = new Map()));
    return t;
  }

  get(def: ResourceDef, ns: string | undefined, name: string): KObject | undefined {
    const o = this.table(def).get(objKey(ns, name));
    return o && structuredClone(o);
  }

  mustGet(def: ResourceDef, ns: string | undefined, name: string): KObject {
    const o = this.get(def, ns, name);
    if (!o) throw notFound(def, name);
    return o;
  }

  /** Sorted by namespace, then name: the order etcd keys give the real server. */
  list(def: ResourceDef, ns?: string): KObject[] {
    return [...this.table(def).values()]
      .filter((o) => ns === undefined || o.metadata.namespace === ns)
      .sort((a, b) =>
        objKey(a.metadata.namespace, a.metadata.name).localeCompare(objKey(b.metadata.namespace, b.metadata.name)),
      )
      .map((o) => structuredClone(o));
  }

  /** `prepare` sees the object once it has its uid (Job selectors are derived from it). */
  create(def: ResourceDef, input: KObject, prepare?: (o: KObject) => void): KObject {
    const obj = structuredClone(input);
    obj.apiVersion = groupVersion(def);
    obj.kind = def.kind;
    const m = obj.metadata;
    if (!m.name && m.generateName) {
      do m.name = m.generateName + randomSuffix();
      while (this.table(def).has(objKey(m.namespace, m.name)));
    }
    if (this.table(def).has(objKey(m.namespace, m.name))) throw alreadyExists(def, m.name);
    m.uid = randomUUID();
    m.creationTimestamp = now();
    m.generation = 1;
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    prepare?.(obj);
    return this.commit(def, obj, "ADDED");
  }

  /** Replaces the stored object wholesale; callers decide what to carry over. */
  update(def: ResourceDef, obj: KObject): KObject {
    const k = objKey(obj.metadata.namespace, obj.metadata.name);
    if (!this.table(def).has(k)) throw notFound(def, obj.metadata.name);
    return this.commit(def, structuredClone(obj), "MODIFIED");
  }

  /** Read-modify-write for controllers; undefined if the object is gone. */
  mutate(def: ResourceDef, ns: string | undefined, name: string, fn: (o: KObject) => void): KObject | undefined {
    const o = this.get(def, ns, name);
    if (!o) return undefined;
    const before = JSON.stringify(o);
    fn(o);
    if (JSON.stringify(o) === before) return o;
    return this.update(def, o);
  }

  remove(def: ResourceDef, ns: string | undefined, name: string): KObject {
    const t = this.table(def);
    const k = objKey(ns, name);
    const o = t.get(k);
    if (!o) throw notFound(def, name);
    t.delete(k);
    const gone = structuredClone(o);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit({ rv: this.rv, type: "DELETED", def, object: gone });
    return structuredClone(gone);
  }

  private commit(def: ResourceDef, obj: KObject, type: WatchType): KObject {
    obj.metadata.resourceVersion = String(++this.rv);
    this.table(def).set(objKey(obj.metadata.namespace, obj.metadata.name), obj);
    this.emit({ rv: this.rv, type, def, object: structuredClone(obj) });
    return structuredClone(obj);
  }

  private emit(e: StoreEvent) {
    this.history.push(e);
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    for (const s of [...this.subscribers]) s(e);
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => void this.subscribers.delete(fn);
  }

  /** Events after `rv`, or undefined if the history no longer reaches back that far (→ 410 Gone). */
  since(rv: number): StoreEvent[] | undefined {
    if (this.history.length > 0 && this.history[0].rv > rv + 1) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }
}
