// --dry-run: what a run would create, as YAML a person can read or JSON a program can (--json). Pure.
import { YAML } from "zx";

export function renderDryRun(items: readonly unknown[], json: boolean): string {
  if (json) return `${JSON.stringify({ apiVersion: "v1", kind: "List", items }, null, 2)}\n`;
  // A plain copy first: objects shared inside an item (a Job's labels) would become YAML anchors.
  return items.map((item) => YAML.stringify(JSON.parse(JSON.stringify(item)))).join("---\n");
}
