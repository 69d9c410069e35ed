// `profile.mjs doctor --flink-rest URL`: whether `--via rest` can work on a cluster, asked with GETs only
// (doctor never starts a profile through Flink: it could not stop one). Reachable? Which Flink? Does it serve
// the built-in profiler (rest.profiling.enabled), and up to which duration?
import type { Check } from "../cluster/doctor-checks.ts";
import { HintedError } from "../profile-options.ts";
import { FlinkRestError, flinkRest } from "./http.ts";
import { explainNotServed, profilerPath } from "./profiler-api.ts";

export interface RestFacts {
  url: string;
  version?: string;
  taskManagers: string[];
  /** GET /taskmanagers/:id/profiler answered (true) or was Not found (false); undefined: no TaskManager to ask. */
  served?: boolean;
  /** rest.profiling.enabled and rest.profiling.duration-max as GET /jobmanager/config lists them (only keys that were set). */
  enabled?: string;
  durationMax?: string;
}

/** The lines doctor prints for these facts. Pure. */
export function restChecks(f: RestFacts): Check[] {
  const checks: Check[] = [
    {
      verdict: "ok",
      what: `Flink ${f.version ?? "(version not said)"} REST API reachable at ${f.url}, ${f.taskManagers.length} TaskManager(s)`,
    },
  ];
  if (f.served === undefined) {
    checks.push({
      verdict: "notice",
      what: "no TaskManager registered, so the profiler could not be asked",
      fix: "run doctor again once the TaskManagers are up",
    });
  } else if (f.served) {
    const max = f.durationMax
      ? `${f.durationMax} (rest.profiling.duration-max)`
      : "5 min (the default rest.profiling.duration-max)";
    checks.push({
      verdict: "ok",
      what: `Flink's built-in profiler is enabled: --via rest works, one profile at a time per TaskManager, up to ${max}`,
    });
  } else {
    const why = explainNotServed(f.version, f.enabled);
    checks.push({ verdict: "fail", what: `--via rest cannot work here: ${why.message}`, fix: why.hint });
  }
  return checks;
}

export async function restFacts(url: string): Promise<RestFacts> {
  const rest = flinkRest(url);
  const version = (await rest.getJson<{ "flink-version"?: string }>("/config"))["flink-version"];
  const config = await rest.getJson<{ key: string; value: string }[]>("/jobmanager/config").catch(() => []);
  const setting = (key: string) => config.find((e) => e.key === key)?.value;
  const list = await rest.getJson<{ taskmanagers?: { id?: unknown }[] }>("/taskmanagers");
  const taskManagers = (list.taskmanagers ?? []).map((t) => t.id).filter((id): id is string => typeof id === "string");
  let served: boolean | undefined;
  if (taskManagers.length > 0) {
    try {
      await rest.getJson(profilerPath(taskManagers[0]!));
      served = true;
    } catch (err) {
      if (!(err instanceof FlinkRestError) || err.status !== 404) throw err;
      served = false;
    }
  }
  return {
    url: rest.baseUrl,
    version,
    taskManagers,
    served,
    enabled: setting("rest.profiling.enabled"),
    durationMax: setting("rest.profiling.duration-max"),
  };
}

/** Runs the checks and writes their lines; true when --via rest can work. */
export async function restDoctor(url: string, write: (c: Check) => void): Promise<boolean> {
  let facts: RestFacts;
  try {
    facts = await restFacts(url);
  } catch (err) {
    write({
      verdict: "fail",
      what: (err as Error).message,
      fix: err instanceof HintedError ? err.hint : "check --flink-rest",
    });
    return false;
  }
  const checks = restChecks(facts);
  checks.forEach(write);
  return checks.every((c) => c.verdict !== "fail") && facts.served === true;
}
