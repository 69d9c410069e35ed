// --dry-run: what a run would create, as YAML a person can read or JSON a program can (--json). Pure.
import { YAML } from "zx";

export function renderDryRun(items: readonly unknown[], json: boolean): string {
  if (json) return `${JSON.stringify({ apiVersion: "v1", kind: "List", items }, null, 2)}\n`;
  return items.map((item) => YAML.stringify(item)).join("---\n");
}
