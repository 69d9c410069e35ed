import { describe, expect, it } from "vitest";
import {
  mergeSettings, parseFlinkVersion, PROFILING_JVM_FLAGS, profilingSettings, renderFlinkConfig,
} from "../../components/flink-config.ts";

/** Reads what renderFlinkConfig wrote the way Flink would: config.yaml as YAML scalars, flink-conf.yaml as raw text. */
function read(fileName: string, content: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of content.trim().split("\n")) {
    const at = line.indexOf(": ");
    const [key, raw] = [line.slice(0, at), line.slice(at + 2)];
    // Every value written to config.yaml is a JSON scalar, and JSON scalars are YAML scalars.
    out[key] = fileName === "config.yaml" ? JSON.parse(raw) : raw;
  }
  return out;
}

const MATRIX = [
  { version: "1.18", file: "flink-conf.yaml", rest: false },
  { version: "1.19", file: "config.yaml", rest: true },
  { version: "1.20", file: "config.yaml", rest: true },
  { version: "1.20.1", file: "config.yaml", rest: true },
  { version: "2.0", file: "config.yaml", rest: true },
  { version: "2.1", file: "config.yaml", rest: true },
  { version: "2.3", file: "config.yaml", rest: true },
];

describe("Flink configuration per version", () => {
  it.each(MATRIX)("$version → $file", ({ version, file, rest }) => {
    const v = parseFlinkVersion(version);
    const settings = mergeSettings({ "taskmanager.numberOfTaskSlots": 2 }, {}, profilingSettings(v, "/tmp/flink-profiles"));
    const rendered = renderFlinkConfig(v, settings);
    expect(rendered.fileName).toBe(file);
    const parsed = read(file, rendered.content);
    expect(String(parsed["env.java.opts.taskmanager"]).split(" ")).toEqual([...PROFILING_JVM_FLAGS]);
    expect(String(parsed["env.java.opts.jobmanager"]).split(" ")).toEqual([...PROFILING_JVM_FLAGS]);
    expect(String(parsed["taskmanager.numberOfTaskSlots"])).toBe("2");
    if (rest) {
      expect(String(parsed["rest.profiling.enabled"])).toBe("true");
      expect(parsed["rest.profiling.dir"]).toBe("/tmp/flink-profiles");
    } else {
      expect(parsed).not.toHaveProperty("rest.profiling.enabled");
    }
  });

  it.each(["1.17", "3.0", "2.x", "latest", "", "1.20-java17", 1.2])("refuses unknown version %j", (version) => {
    expect(() => parseFlinkVersion(version)).toThrow(/unknown Flink version.*supported: 1\.18, 1\.19, 1\.20, 2\.0/);
  });

  it("quotes strings in config.yaml so YAML reads them back unchanged", () => {
    const v = parseFlinkVersion("2.1");
    const tricky = "a: b # not a comment, {x}";
    const parsed = read("config.yaml", renderFlinkConfig(v, { "pipeline.name": tricky, "x.y": 3, "a.b": false }).content);
    expect(parsed).toEqual({ "a.b": false, "pipeline.name": tricky, "x.y": 3 });
  });

  it("refuses what flink-conf.yaml cannot hold", () => {
    const v = parseFlinkVersion("1.18");
    expect(() => renderFlinkConfig(v, { "pipeline.name": "job #1" })).toThrow(/'#'/);
    expect(() => renderFlinkConfig(parseFlinkVersion("2.1"), { "pipeline.name": "a\nb" })).toThrow(/one line/);
    expect(() => renderFlinkConfig(v, { "bad key": "x" })).toThrow(/not a valid option name/);
  });

  it("keeps the caller's JVM options and adds the profiling flags once", () => {
    const v = parseFlinkVersion("1.20");
    const merged = mergeSettings({}, { "env.java.opts.taskmanager": "-Xss2m -XX:+DebugNonSafepoints" }, profilingSettings(v, "/p"));
    expect(merged["env.java.opts.taskmanager"]).toBe("-Xss2m -XX:+DebugNonSafepoints -XX:+UnlockDiagnosticVMOptions");
    const off = mergeSettings({}, { "rest.profiling.enabled": false }, profilingSettings(v, "/p"));
    expect(off["rest.profiling.enabled"]).toBe(false);
  });
});
