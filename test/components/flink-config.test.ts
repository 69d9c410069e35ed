import { describe, expect, it } from "vitest";
import {
  mergeSettings,
  PROFILING_JVM_FLAGS,
  profilingSettings,
  renderFlinkConfig,
} from "../../components/flink-config.ts";
import { parseFlinkVersion, SUPPORTED_FLINK_VERSIONS } from "../../components/flink-versions.ts";

/** Reads what renderFlinkConfig wrote the way Flink would: config.yaml as YAML scalars. */
function read(_fileName: string, content: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of content.trim().split("\n")) {
    const at = line.indexOf(": ");
    const [key, raw] = [line.slice(0, at), line.slice(at + 2)];
    // Every value written to config.yaml is a JSON scalar, and JSON scalars are YAML scalars.
    out[key] = JSON.parse(raw);
  }
  return out;
}

const MATRIX = [...SUPPORTED_FLINK_VERSIONS, "1.20.1", "2.3.0"].map((version) => ({
  version,
  file: "config.yaml",
  rest: true,
}));

describe("Flink configuration per version", () => {
  it.each(MATRIX)("$version → $file", ({ version, file, rest }) => {
    const v = parseFlinkVersion(version);
    const settings = mergeSettings(
      { "taskmanager.numberOfTaskSlots": 2 },
      {},
      profilingSettings(v, "/tmp/flink-profiles"),
    );
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

  it.each(["1.18", "1.19", "1.17", "3.0", "2.x", "latest", "", "1.20-java17", 1.2])(
    "refuses unknown version %j",
    (version) => {
      expect(() => parseFlinkVersion(version)).toThrow(
        /unknown Flink version.*supported: 1\.20, 2\.0, 2\.1, 2\.2, 2\.3 .*components\/flink-versions\.ts/,
      );
    },
  );

  it("quotes strings in config.yaml so YAML reads them back unchanged", () => {
    const v = parseFlinkVersion("2.1");
    const tricky = "a: b # not a comment, {x}";
    const parsed = read(
      "config.yaml",
      renderFlinkConfig(v, { "pipeline.name": tricky, "x.y": 3, "a.b": false }).content,
    );
    expect(parsed).toEqual({ "a.b": false, "pipeline.name": tricky, "x.y": 3 });
  });

  it("refuses what config.yaml cannot hold on one line", () => {
    const v = parseFlinkVersion("2.1");
    expect(() => renderFlinkConfig(v, { "pipeline.name": "a\nb" })).toThrow(/one line/);
    expect(() => renderFlinkConfig(v, { "bad key": "x" })).toThrow(/not a valid option name/);
  });

  it("keeps the caller's JVM options and adds the profiling flags once", () => {
    const v = parseFlinkVersion("1.20");
    const merged = mergeSettings(
      {},
      { "env.java.opts.taskmanager": "-Xss2m -XX:+DebugNonSafepoints" },
      profilingSettings(v, "/p"),
    );
    expect(merged["env.java.opts.taskmanager"]).toBe("-Xss2m -XX:+DebugNonSafepoints -XX:+UnlockDiagnosticVMOptions");
    const off = mergeSettings({}, { "rest.profiling.enabled": false }, profilingSettings(v, "/p"));
    expect(off["rest.profiling.enabled"]).toBe(false);
  });
});
