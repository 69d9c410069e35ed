// Server-side printing: `kubectl get` asks for meta.k8s.io Tables and prints their columns,
// so the human-readable output matches what a real cluster shows.
import type { ResourceDef } from "./resources.ts";
import type { KObject } from "./store.ts";

type Column = { name: string; type: string; format?: string; priority?: number; cell: (o: KObject) => string | number };

export function age(ts: string | undefined): string {
  if (!ts) return "<unknown>";
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 && h < 8 ? `${h}h${m % 60}m` : `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

const nameCol: Column = { name: "Name", type: "string", format: "name", cell: (o) => o.metadata.name };
const ageCol: Column = { name: "Age", type: "string", cell: (o) => age(o.metadata.creationTimestamp) };

function podStatus(o: KObject): string {
  if (o.metadata.deletionTimestamp) return "Terminating";
  for (const s of o.status?.containerStatuses ?? []) {
    if (s.state?.waiting?.reason) return s.state.waiting.reason;
    if (s.state?.terminated?.reason && o.status?.phase !== "Succeeded") return s.state.terminated.reason;
  }
  const unsched = (o.status?.conditions ?? []).find(
    (c: { type: string; status: string }) => c.type === "PodScheduled" && c.status === "False",
  );
  if (unsched) return "Pending";
  return o.status?.phase === "Succeeded" ? "Completed" : (o.status?.phase ?? "Unknown");
}

function jobStatus(o: KObject): string {
  const c = (o.status?.conditions ?? []).find(
    (x: { type: string; status: string }) => (x.type === "Complete" || x.type === "Failed") && x.status === "True",
  );
  if (c) return c.type;
  if (o.spec?.suspend) return "Suspended";
  return "Running";
}

function duration(o: KObject): string {
  if (!o.status?.startTime) return "";
  const end = o.status.completionTime ? Date.parse(o.status.completionTime) : Date.now();
  const s = Math.max(0, Math.round((end - Date.parse(o.status.startTime)) / 1000));
  return s < 120 ? `${s}s` : `${Math.floor(s / 60)}m`;
}

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    nameCol,
    {
      name: "Ready",
      type: "string",
      cell: (o) =>
        `${(o.status?.containerStatuses ?? []).filter((s: { ready: boolean }) => s.ready).length}/${(o.spec?.containers ?? []).length}`,
    },
    { name: "Status", type: "string", cell: podStatus },
    { name: "Restarts", type: "string", cell: () => "0" },
    ageCol,
    { name: "IP", type: "string", priority: 1, cell: (o) => o.status?.podIP ?? "<none>" },
    { name: "Node", type: "string", priority: 1, cell: (o) => o.spec?.nodeName ?? "<none>" },
  ],
  Job: [
    nameCol,
    { name: "Status", type: "string", cell: jobStatus },
    { name: "Completions", type: "string", cell: (o) => `${o.status?.succeeded ?? 0}/${o.spec?.completions ?? 1}` },
    { name: "Duration", type: "string", cell: duration },
    ageCol,
  ],
  ConfigMap: [
    nameCol,
    {
      name: "Data",
      type: "integer",
      cell: (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length,
    },
    ageCol,
  ],
  Namespace: [nameCol, { name: "Status", type: "string", cell: (o) => o.status?.phase ?? "Active" }, ageCol],
  Event: [
    { name: "Last Seen", type: "string", cell: (o) => age(o.lastTimestamp ?? o.metadata.creationTimestamp) },
    { name: "Type", type: "string", cell: (o) => o.type ?? "" },
    { name: "Reason", type: "string", cell: (o) => o.reason ?? "" },
    {
      name: "Object",
      type: "string",
      cell: (o) => `${String(o.involvedObject?.kind ?? "").toLowerCase()}/${o.involvedObject?.name ?? ""}`,
    },
    { name: "Message", type: "string", cell: (o) => o.message ?? "" },
    { ...nameCol, priority: 1 },
  ],
};

export type IncludeObject = "None" | "Metadata" | "Object";

export function toTable(
  def: ResourceDef,
  objs: KObject[],
  include: IncludeObject,
  withHeaders: boolean,
  resourceVersion?: string,
) {
  const cols = COLUMNS[def.kind] ?? [nameCol, ageCol];
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: resourceVersion ? { resourceVersion } : {},
    ...(withHeaders
      ? {
          columnDefinitions: cols.map((c) => ({
            name: c.name,
            type: c.type,
            format: c.format ?? "",
            description: "",
            priority: c.priority ?? 0,
          })),
        }
      : { columnDefinitions: null }),
    rows: objs.map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      object:
        include === "Object"
          ? o
          : include === "Metadata"
            ? { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata }
            : null,
    })),
  };
}
