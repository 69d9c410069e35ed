// Label and field selectors as the API server parses them from query strings.
// Pure functions, so they can be unit-tested without a server.

export type LabelRequirement =
  | { key: string; op: "exists" | "!exists" }
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] };

export type FieldRequirement = { path: string; op: "=" | "!="; value: string };

export class SelectorError extends Error {}

// Commas inside `in (a,b)` belong to the set, so a plain split(",") would be wrong.
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

const KEY = "[A-Za-z0-9][-A-Za-z0-9_./]*";
const VALUE = "[-A-Za-z0-9_.]*";

export function parseLabelSelector(selector: string | null | undefined): LabelRequirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map((part) => {
    let m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(part);
    if (m) {
      const values = m[3]
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "");
      return { key: m[1], op: m[2] as "in" | "notin", values };
    }
    m = new RegExp(`^!\\s*(${KEY})$`).exec(part);
    if (m) return { key: m[1], op: "!exists" as const };
    m = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`).exec(part);
    if (m) return { key: m[1], op: m[2] === "!=" ? ("!=" as const) : ("=" as const), value: m[3] };
    m = new RegExp(`^(${KEY})$`).exec(part);
    if (m) return { key: m[1], op: "exists" as const };
    throw new SelectorError(`unable to parse requirement: ${JSON.stringify(part)}`);
  });
}

export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case "exists":
        return has;
      case "!exists":
        return !has;
      case "=":
        return has && l[r.key] === r.value;
      // As in Kubernetes: `!=` and `notin` also match objects without the label.
      case "!=":
        return !has || l[r.key] !== r.value;
      case "in":
        return has && r.values.includes(l[r.key]);
      case "notin":
        return !has || !r.values.includes(l[r.key]);
      default:
        return false;
    }
  });
}

export function parseFieldSelector(selector: string | null | undefined): FieldRequirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map((part) => {
    const m = /^([A-Za-z0-9_.[\]-]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${part}'; can't understand '${part}'`);
    return { path: m[1], op: m[2] === "!=" ? "!=" : "=", value: m[3] };
  });
}

/** Dotted path lookup; absent fields compare as "" like the API server's field sets. */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split(".")) {
    if (cur === null || typeof cur !== "object") return "";
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (cur === undefined || cur === null) return "";
  return typeof cur === "string" ? cur : String(cur);
}

export function matchesFields(reqs: FieldRequirement[], obj: unknown): boolean {
  return reqs.every((r) => (fieldValue(obj, r.path) === r.value) === (r.op === "="));
}

/** metav1.LabelSelector (matchLabels + matchExpressions) → requirements, for Job selectors. */
export function fromLabelSelectorObject(
  sel:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
      }
    | undefined,
): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {})) reqs.push({ key, op: "=", value });
  for (const e of sel?.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === "in" || op === "notin") reqs.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === "exists") reqs.push({ key: e.key, op: "exists" });
    else if (op === "doesnotexist") reqs.push({ key: e.key, op: "!exists" });
  }
  return reqs;
}
