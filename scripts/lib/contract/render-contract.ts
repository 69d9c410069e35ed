// Renders the helper's contract (images/flink-profiling/contract.json) into the two forms its readers
// take: bash for the helper (lib/contract.sh) and TypeScript for the CLI and the components
// (components/helper-contract.ts). Pure: text in, text out; scripts/gen-helper-contract.mjs writes them.

export type FieldKind = "string" | "number" | "boolean" | "array" | "number|null";

export interface HelperContract {
  command: string;
  actions: string[];
  job: { action: string; flags: string[]; actions: string[] };
  roles: string[];
  events: string[];
  formats: string[];
  limits: { maxDurationSeconds: number; maxPid: number; maxIntervalNumber: number; chunkChars: number };
  passthrough: { flags: string[]; withValue: string[] };
  exitCodes: Record<string, number>;
  /** error code → the name of its exit status in exitCodes */
  errorCodes: Record<string, string>;
  noticeCodes: string[];
  /** Required fields of each stdout line, by its type. */
  lines: Record<string, Record<string, FieldKind>>;
}

const BASH_WORD = /^[A-Za-z0-9_.+-]+$/;
const GENERATED = "Generated from images/flink-profiling/contract.json by `npm run gen:contract`: do not edit.";

/** The contract without its "$comment" entries (notes for the people who edit the file). */
export function withoutComments<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutComments) as T;
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== "$comment")
      .map(([k, v]) => [k, withoutComments(v)]),
  ) as T;
}

/** Checks what the renderers rely on; throws with the offending entry. */
export function checkContract(c: HelperContract): HelperContract {
  const words = [
    c.command,
    ...c.actions,
    c.job.action,
    ...c.job.flags,
    ...c.job.actions,
    ...c.roles,
    ...c.events,
    ...c.formats,
    ...c.passthrough.flags,
    ...c.passthrough.withValue,
  ];
  for (const w of words) if (!BASH_WORD.test(w)) throw new Error(`contract: ${JSON.stringify(w)} is not a plain word`);
  for (const [code, exit] of Object.entries(c.errorCodes)) {
    if (!(exit in c.exitCodes)) throw new Error(`contract: error code ${code} names an unknown exit status ${exit}`);
  }
  for (const a of [c.job.action, ...c.job.actions])
    if (!c.actions.includes(a)) throw new Error(`contract: the Job's action ${a} is not an action`);
  for (const [k, v] of Object.entries(c.limits))
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`contract: limit ${k} must be a positive integer`);
  return c;
}

/** "badInput" → "BAD_INPUT" */
const screaming = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

export function renderBash(contract: HelperContract): string {
  const c = checkContract(withoutComments(contract));
  const list = (name: string, items: string[]) => `readonly ${name}=(${items.join(" ")})`;
  const lines = [
    list("HELPER_ACTIONS", c.actions),
    list("ROLES", c.roles),
    list("EVENTS", c.events),
    list("FORMATS", c.formats),
    ...Object.entries(c.limits).map(([k, v]) => `readonly ${screaming(k)}=${v}`),
    "# asprof options that may follow `--` (they shape sampling or drawing, nothing else).",
    list("PASSTHROUGH_FLAGS", c.passthrough.flags),
    list("PASSTHROUGH_WITH_VALUE", c.passthrough.withValue),
    `readonly ${Object.entries(c.exitCodes)
      .map(([k, v]) => `EXIT_${screaming(k)}=${v}`)
      .join(" ")}`,
  ];
  // One block, so that the directive covers every line wherever the file is read (alone or sourced).
  return [
    "# shellcheck shell=bash",
    `# flink-profiler's contract. ${GENERATED}`,
    "# shellcheck disable=SC2034 # (not every name is used by the helper's own files)",
    "{",
    ...lines.map((l) => `  ${l}`),
    "}",
    "",
  ].join("\n");
}

export function renderTypeScript(contract: HelperContract): string {
  const c = checkContract(withoutComments(contract));
  const json = (v: unknown) => JSON.stringify(v);
  const errorExit = Object.fromEntries(Object.entries(c.errorCodes).map(([code, exit]) => [code, c.exitCodes[exit]]));
  return [
    `// flink-profiler's contract, for the CLI and the components. ${GENERATED}`,
    "",
    `export const HELPER_COMMAND = ${json(c.command)};`,
    `export const HELPER_ACTIONS = ${json(c.actions)} as const;`,
    "/** The action and flags the profiling Job gives the helper, before the run's own options. */",
    `export const JOB_HELPER_ACTION = ${json(c.job.action)};`,
    `export const JOB_HELPER_FLAGS = ${json(c.job.flags)} as const;`,
    "/** The actions a profiling Job may run (the admission policy admits no other). */",
    `export const JOB_HELPER_ACTIONS = ${json(c.job.actions)} as const;`,
    `export const HELPER_ROLES = ${json(c.roles)} as const;`,
    `export const EVENTS = ${json(c.events)} as const;`,
    `export const FORMATS = ${json(c.formats)} as const;`,
    `export const HELPER_LIMITS = ${json(c.limits)} as const;`,
    `export const PASSTHROUGH_FLAGS = ${json(c.passthrough.flags)} as const;`,
    `export const PASSTHROUGH_WITH_VALUE = ${json(c.passthrough.withValue)} as const;`,
    `export const HELPER_EXIT = ${json(c.exitCodes)} as const;`,
    "/** Each error code the helper writes, with its exit status. */",
    `export const HELPER_ERROR_EXIT = ${json(errorExit)} as const;`,
    `export const HELPER_NOTICE_CODES = ${json(c.noticeCodes)} as const;`,
    "/** Required fields of each line the helper writes on stdout, by its type. */",
    `export const HELPER_LINE_FIELDS = ${json(c.lines)} as const;`,
    "",
  ].join("\n");
}
