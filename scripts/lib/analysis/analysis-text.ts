// `report`, `diff` and `merge` results as a person reads them in a terminal. Pure.
import type { TopFrame } from "../collapsed.ts";
import type { GrepResult } from "./grep.ts";
import type { ClusterView } from "./cluster-view.ts";
import type { DiffResult, MergeResult, ProfileSummary, ReportResult } from "./results.ts";
import type { SkewRow } from "./skew.ts";
import type { ThreadRow } from "./threads.ts";

const pct = (n: number) => `${n.toFixed(1)}%`.padStart(7);
const signed = (n: number) => `${n > 0 ? "+" : ""}${n.toFixed(1)}`.padStart(7);
const count = (n: number) => n.toLocaleString("en-US");

/** A Java frame without its package ("OrderJsonEncoder.escape"); other frames as they are. */
export function shortFrame(frame: string): string {
  const m = /^(?:[a-z_][\w$]*\.)+([A-Z$_][\w$]*\.[\w$<>]+)$/.exec(frame);
  return m ? m[1]! : frame;
}

function profilesLine(s: Pick<ProfileSummary, "profiles" | "samples">): string {
  const names = s.profiles.map((p) => p.name);
  const shown = names.length > 4 ? `${names.slice(0, 4).join(", ")} and ${names.length - 4} more` : names.join(", ");
  return `${s.profiles.length === 1 ? "1 profile" : `${s.profiles.length} profiles`} (${shown}): ${count(s.samples)} samples`;
}

function frameTable(title: string, frames: readonly TopFrame[]): string[] {
  if (frames.length === 0) return [];
  return [title, "    self%  total%  frame", ...frames.map((f) => `  ${pct(f.self)}  ${pct(f.total)}  ${f.frame}`)];
}

function summaryLines(s: ProfileSummary): string[] {
  const out = [profilesLine(s)];
  if (s.samples === 0) return [...out, "  no samples: the profiles are empty"];
  if (s.waiting >= 5)
    out.push(`  ${s.waiting.toFixed(1)}% of samples were threads waiting (parked, sleeping, polling); the rest:`);
  out.push(...frameTable("top frames by self time", s.top));
  return out;
}

function grepLines(g: GrepResult): string[] {
  const out = [
    `--grep ${g.pattern}: ${g.share.toFixed(1)}% of all samples (${count(g.samples)}) have a matching frame`,
  ];
  if (g.samples === 0) return [...out, "  no frame matches (case-insensitive unless the pattern has a capital letter)"];
  out.push(...frameTable("matching frames by total time", g.frames));
  out.push("heaviest matching stacks (from the caller of the first match to the leaf)");
  for (const s of g.stacks) out.push(`  ${pct(s.share)}  ${s.frames.map(shortFrame).join(" > ")}`);
  return out;
}

function threadLines(title: string, rows: readonly ThreadRow[]): string[] {
  if (rows.length === 0) return [];
  const width = Math.min(60, Math.max(...rows.map((r) => label(r).length)));
  return [
    title,
    `   share%  running%  ${"".padEnd(width)}  top running frame`,
    ...rows.map(
      (r) =>
        `  ${pct(r.share)}   ${pct(r.running)}  ${label(r).padEnd(width)}  ${r.top === null ? "-" : shortFrame(r.top)}`,
    ),
  ];
}
const label = (r: ThreadRow) => (r.subtasks ? `${r.name} [${r.subtasks.join(", ")}]` : r.name);

export function renderReport(r: ReportResult): string {
  const out = summaryLines(r);
  if (r.samples > 0) out.push(...frameTable("top frames by total time", r.topTotal));
  if (r.grep) out.push("", ...grepLines(r.grep));
  if (r.threads) {
    out.push("");
    if (!r.hasThreads)
      out.push("--threads: these profiles have no thread frames; profile with -t (--threads) to split them by thread");
    out.push(...threadLines("threads, busiest first", r.threads));
    if (r.operators && r.operators.length > 0)
      out.push(...threadLines("Flink operators (tasks; chained operators share one), busiest first", r.operators));
    else if (r.hasThreads) out.push('no Flink task threads ("<task> (<i>/<n>)#<attempt>") in these profiles');
  }
  return `${out.join("\n")}\n`;
}

export function renderDiff(d: DiffResult): string {
  const out = [
    `base: ${profilesLine(d.base)}, ${d.base.waiting.toFixed(1)}% waiting`,
    `new:  ${profilesLine(d.new)}, ${d.new.waiting.toFixed(1)}% waiting`,
    `  wrote ${d.html}`,
  ];
  const grew = d.regressions.filter((r) => r.delta > 0);
  const shrank = d.regressions.filter((r) => r.delta < 0).reverse();
  const rows = (rs: typeof grew) =>
    rs.map(
      (r) =>
        `  ${pct(r.base)}  ${pct(r.new)}  ${signed(r.delta)}  ${r.frame}${r.change === "new" || r.change === "gone" ? `  (${r.change})` : ""}`,
    );
  const head = "    base%    new%    delta  frame";
  if (grew.length > 0)
    out.push("frames whose share of samples grew most (self time, % of each profile's samples)", head, ...rows(grew));
  if (shrank.length > 0) out.push("frames whose share of samples shrank most", head, ...rows(shrank));
  if (d.regressions.length === 0) out.push("no frame's share changed by 0.1 points or more");
  return `${out.join("\n")}\n`;
}

export function skewLines(rows: readonly SkewRow[]): string[] {
  if (rows.length === 0) return [];
  const width = Math.max(...rows.map((r) => r.target.length));
  return [
    "TaskManagers whose frames differ most from the rest (% of samples elsewhere than the rest's)",
    `  differs  ${"TaskManager".padEnd(width)}  the frame that differs most: here vs the rest`,
    ...rows.map(
      (r) =>
        `  ${pct(r.differs)}  ${r.target.padEnd(width)}  ${r.frame === null ? "-" : `${shortFrame(r.frame)}: ${r.here.toFixed(1)}% vs ${r.rest.toFixed(1)}%`}${r.outlier ? "  <- outlier" : ""}`,
    ),
  ];
}

export function renderMerge(m: MergeResult): string {
  const out = summaryLines(m);
  out.splice(1, 0, ...m.files.map((f) => `  wrote ${f}`));
  out.push(...skewLines(m.skew));
  return `${out.join("\n")}\n`;
}

export function renderClusterView(v: ClusterView): string {
  const out = [`all ${v.taskManagers} TaskManagers together: ${count(v.samples)} samples`];
  if (v.waiting >= 5)
    out.push(`  ${v.waiting.toFixed(1)}% of samples were threads waiting (parked, sleeping, polling); the rest:`);
  out.push(...frameTable("cluster-wide top frames by self time", v.top), ...skewLines(v.skew));
  return `${out.join("\n")}\n`;
}
