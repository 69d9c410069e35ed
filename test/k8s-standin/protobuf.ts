// kubectl's typed clients (`auth can-i`, `create configmap`, `create namespace`, ...) send
// request bodies as Kubernetes protobuf: "k8s\0" + runtime.Unknown{typeMeta, raw}. Responses
// may be JSON (their Accept allows it), so only decoding is needed, and only for the few kinds
// those commands create. Field numbers follow k8s.io/api's generated.proto files.

type Field = { num: number; wire: number; int?: number; bytes?: Buffer };

function readVarint(b: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = b[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7;
  }
}

function fields(b: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < b.length) {
    let key: number;
    [key, pos] = readVarint(b, pos);
    const num = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      let v: number;
      [v, pos] = readVarint(b, pos);
      out.push({ num, wire, int: v });
    } else if (wire === 2) {
      let len: number;
      [len, pos] = readVarint(b, pos);
      out.push({ num, wire, bytes: b.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

type Schema = Record<number, [name: string, type: "string" | "bool" | "int" | "map" | "bytesmap" | "strings" | Schema]>;

function decode(b: Buffer, schema: Schema): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields(b)) {
    const entry = schema[f.num];
    if (!entry) continue;
    const [name, type] = entry;
    if (type === "string") o[name] = f.bytes!.toString();
    else if (type === "bool") o[name] = f.int !== 0;
    else if (type === "int") o[name] = f.int;
    else if (type === "strings") ((o[name] ??= []) as string[]).push(f.bytes!.toString());
    else if (type === "map" || type === "bytesmap") {
      const kv = fields(f.bytes!);
      const k = kv.find((x) => x.num === 1)?.bytes?.toString() ?? "";
      const v = kv.find((x) => x.num === 2)?.bytes ?? Buffer.alloc(0);
      o[name] ??= {} as Record<string, string>;
      (o[name] as Record<string, string>)[k] = type === "map" ? v.toString() : v.toString("base64");
    } else o[name] = decode(f.bytes!, type);
  }
  return o;
}

const META: Schema = {
  1: ["name", "string"],
  2: ["generateName", "string"],
  3: ["namespace", "string"],
  11: ["labels", "map"],
  12: ["annotations", "map"],
  14: ["finalizers", "strings"],
};

const KINDS: Record<string, Schema> = {
  ConfigMap: { 1: ["metadata", META], 2: ["data", "map"], 3: ["binaryData", "bytesmap"], 4: ["immutable", "bool"] },
  Secret: {
    1: ["metadata", META],
    2: ["data", "bytesmap"],
    3: ["type", "string"],
    4: ["stringData", "map"],
    5: ["immutable", "bool"],
  },
  Namespace: { 1: ["metadata", META] },
  ServiceAccount: { 1: ["metadata", META], 4: ["automountServiceAccountToken", "bool"] },
  SelfSubjectAccessReview: {
    1: ["metadata", META],
    2: [
      "spec",
      {
        1: [
          "resourceAttributes",
          {
            1: ["namespace", "string"],
            2: ["verb", "string"],
            3: ["group", "string"],
            4: ["version", "string"],
            5: ["resource", "string"],
            6: ["subresource", "string"],
            7: ["name", "string"],
          },
        ],
        2: ["nonResourceAttributes", { 1: ["path", "string"], 2: ["verb", "string"] }],
      },
    ],
  },
};

export const PROTOBUF = "application/vnd.kubernetes.protobuf";
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** undefined when the kind is not one this decoder knows (the caller answers 415). */
export function decodeProtobufObject(b: Buffer): Record<string, unknown> | undefined {
  if (!b.subarray(0, 4).equals(MAGIC)) throw new Error("missing protobuf magic");
  const unknown = decode(b.subarray(4), { 1: ["typeMeta", { 1: ["apiVersion", "string"], 2: ["kind", "string"] }] });
  const raw = fields(b.subarray(4)).find((f) => f.num === 2)?.bytes ?? Buffer.alloc(0);
  const tm = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const schema = tm.kind ? KINDS[tm.kind] : undefined;
  if (!schema) return undefined;
  return { apiVersion: tm.apiVersion, kind: tm.kind, metadata: {}, ...decode(raw, schema) };
}
