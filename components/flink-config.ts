/**
 * The Flink configuration file, as pure functions.
 *
 * Every supported version (components/flink-versions.ts) reads `config.yaml`, standard YAML (1.19 introduced
 * it, 2.0 dropped the old line-based `flink-conf.yaml`). The profiling JVM flags go into this file, never
 * into FLINK_PROPERTIES, whose handling in the official entrypoint strips the spaces between flags.
 */
import type { FlinkVersion } from "./flink-versions.ts";

/** Every supported version (components/flink-versions.ts) reads `config.yaml`, introduced in 1.19. */
export function configFileName(_version: FlinkVersion): "config.yaml" {
  return "config.yaml";
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
export function profilingSettings(_version: FlinkVersion, profilesDir: string): FlinkSettings {
  const settings: FlinkSettings = {};
  for (const key of JVM_OPTS_KEYS) settings[key] = PROFILING_JVM_FLAGS.join(" ");
  // Flink's REST profiler (1.19 and later, so every supported version) writes its HTML where the helper
  // writes, on the size-limited volume.
  settings["rest.profiling.enabled"] = true;
  settings["rest.profiling.dir"] = profilesDir;
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
      const missing = String(value)
        .split(" ")
        .filter((flag) => !current.split(/\s+/).includes(flag));
      merged[key] = [current.trim(), ...missing].join(" ");
    } else if (!(key in extra)) {
      merged[key] = value;
    }
  }
  return merged;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkEntry(key: string, value: FlinkConfigValue): void {
  if (!KEY.test(key)) throw new Error(`Flink config key ${JSON.stringify(key)} is not a valid option name`);
  if (
    !["string", "number", "boolean"].includes(typeof value) ||
    (typeof value === "number" && !Number.isFinite(value))
  ) {
    throw new Error(`Flink config value for ${key} must be a string, a finite number or a boolean`);
  }
  const text = String(value);
  if (/[\r\n]/.test(text)) throw new Error(`Flink config value for ${key} must be on one line`);
}

/** Renders the file Flink reads from its conf directory; keys are sorted so the output is stable. */
export function renderFlinkConfig(
  version: FlinkVersion,
  settings: FlinkSettings,
): { fileName: string; content: string } {
  const lines = Object.keys(settings)
    .sort()
    .map((key) => {
      const value = settings[key];
      checkEntry(key, value);
      // config.yaml is real YAML: a JSON string is a valid double-quoted YAML scalar.
      const text = typeof value !== "string" ? String(value) : JSON.stringify(value);
      return `${key}: ${text}`;
    });
  return { fileName: configFileName(version), content: `${lines.join("\n")}\n` };
}
