// core/v1 Events, recorded the way the kubelet and controllers do, so "why is my pod stuck"
// code paths (describe, field-selected event lists) have something real to read.
import { randomBytes } from "node:crypto";
import { findResource, groupVersion, type ResourceDef } from "./resources.ts";
import { now, type KObject, type Store } from "./store.ts";

export const EVENTS = findResource("", "v1", "events")!;

export function recordEvent(
  store: Store,
  def: ResourceDef,
  obj: KObject,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
  component: string,
): void {
  const ns = obj.metadata.namespace ?? "default";
  if (!store.get(findResource("", "v1", "namespaces")!, undefined, ns)) return;
  const t = now();
  store.create(EVENTS, {
    metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString("hex")}`, namespace: ns },
    involvedObject: {
      kind: def.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: groupVersion(def),
      resourceVersion: obj.metadata.resourceVersion,
    },
    reason,
    message,
    source: { component, ...(component === "kubelet" ? { host: "standin-node" } : {}) },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
    type,
    eventTime: null,
    reportingComponent: component,
    reportingInstance: component === "kubelet" ? "standin-node" : "",
  });
}
