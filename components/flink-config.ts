/**
 * Flink versions and the Flink configuration file, as pure functions.
 *
 * Flink 1.19 introduced `config.yaml` (standard YAML) and 2.0 dropped `flink-conf.yaml` (a line-based
 * `key: value` format that is not YAML: no quoting, and `#` starts a comment anywhere on a line).
 * The profiling JVM flags go into this file, never into FLINK_PROPERTIES, whose handling in the
 * official entrypoint strips the spaces between flags.
 */

/** Minor versions this project knows; anything else is refused rather than guessed. */
export const SUPPORTED_FLINK_VERSIONS = ["1.18", "1.19", "1.20", "2.0", "2.1", "2.2", "2.3"] as const;
export type FlinkMinor = (typeof SUPPORTED_FLINK_VERSIONS)[number];

export interface FlinkVersion {
  major: number;
  minor: number;
  /** `major.minor`, e.g. `1.20`. */
  id: FlinkMinor;
}

export function parseFlinkVersion(value: unknown): FlinkVersion {
  const match = typeof value === "string" ? /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(value) : null;
  const id = match ? `${Number(match[1])}.${Number(match[2])}` : undefined;
  if (!match || !(SUPPORTED_FLINK_VERSIONS as readonly string[]).includes(id!)) {
    throw new Error(
      `unknown Flink version ${JSON.stringify(value)}; supported: ${SUPPORTED_FLINK_VERSIONS.join(", ")} ` +
        `(a patch version such as "1.20.1" is accepted too)`,
    );
  }
  return { major: Number(match[1]), minor: Number(match[2]), id: id as FlinkMinor };
}

/** 1.19 and later: `config.yaml`; earlier: `flink-conf.yaml`. */
export function usesConfigYaml(version: FlinkVersion): boolean {
  return version.major > 1 || version.minor >= 19;
}

/** The REST profiler (FLIP-375) exists from 1.19 on. */
export function hasRestProfiler(version: FlinkVersion): boolean {
  return usesConfigYaml(version);
}

export function configFileName(version: FlinkVersion): "config.yaml" | "flink-conf.yaml" {
  return usesConfigYaml(version) ? "config.yaml" : "flink-conf.yaml";
}

/**
 * Exact line numbers and inlining in profiles: without DebugNonSafepoints only code compiled after the
 * profiler attaches carries the debug info async-profiler needs.
 */
export const PROFILING_JVM_FLAGS = ["-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints"] as const;

export type FlinkConfigValue = string | number | boolean;
export type FlinkSettings = Record<string, FlinkConfigValue>;

const JVM_OPTS_KEYS = ["env.java.opts.taskmanager", "env.java.opts.jobmanager"] as const;

/** The settings that make a cluster profiling-ready for this version. */
export function profilingSettings(version: FlinkVersion, profilesDir: string): FlinkSettings {
  const settings: FlinkSettings = {};
  for (const key of JVM_OPTS_KEYS) settings[key] = PROFILING_JVM_FLAGS.join(" ");
  if (hasRestProfiler(version)) {
    settings["rest.profiling.enabled"] = true;
    // The built-in profiler writes its HTML where the helper writes, on the size-limited volume.
    settings["rest.profiling.dir"] = profilesDir;
  }
  return settings;
}

/**
 * `base`, then `extra` on top, then the profiling settings. JVM options are combined rather than
 * replaced, so a caller's own flags survive and the profiling flags are never lost.
 */
export function mergeSettings(base: FlinkSettings, extra: FlinkSettings, profiling: FlinkSettings): FlinkSettings {
  const merged: FlinkSettings = { ...base, ...extra };
  for (const [key, value] of Object.entries(profiling)) {
    const current = merged[key];
    if ((JVM_OPTS_KEYS as readonly string[]).includes(key) && typeof current === "string" && current.trim() !== "") {
      const missing = String(value).split(" ").filter((flag) => !current.split(/\s+/).includes(flag));
      merged[key] = [current.trim(), ...missing].join(" ");
    } else if (!(key in extra)) {
      merged[key] = value;
    }
  }
  return merged;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkEntry(key: string, value: FlinkConfigValue, legacy: boolean): void {
  if (!KEY.test(key)) throw new Error(`Flink config key ${JSON.stringify(key)} is not a valid option name`);
  if (!["string", "number", "boolean"].includes(typeof value) || (typeof value === "number" && !Number.isFinite(value))) {
    throw new Error(`Flink config value for ${key} must be a string, a finite number or a boolean`);
  }
  const text = String(value);
  if (/[\r\n]/.test(text)) throw new Error(`Flink config value for ${key} must be on one line`);
  if (legacy && text.includes("#")) {
    throw new Error(`Flink config value for ${key} contains '#', which flink-conf.yaml reads as the start of a comment`);
  }
}

/** Renders the file Flink reads from its conf directory; keys are sorted so the output is stable. */
export function renderFlinkConfig(version: FlinkVersion, settings: FlinkSettings): { fileName: string; content: string } {
  const legacy = !usesConfigYaml(version);
  const lines = Object.keys(settings)
    .sort()
    .map((key) => {
      const value = settings[key];
      checkEntry(key, value, legacy);
      // config.yaml is real YAML: a JSON string is a valid double-quoted YAML scalar.
      const text = legacy || typeof value !== "string" ? String(value) : JSON.stringify(value);
      return `${key}: ${text}`;
    });
  return { fileName: configFileName(version), content: lines.join("\n") + "\n" };
}
