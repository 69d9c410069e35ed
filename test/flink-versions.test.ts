// Fix 9 of issue 10: one table of supported Flink versions, and every place that names a version agrees
// with it — the components, the scripts, and the files that cannot import TypeScript.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_FLINK_VERSION,
  FLINK_VERSIONS_FILE,
  SUPPORTED_FLINK_VERSIONS,
  TESTED_FLINK_RELEASE,
  parseFlinkVersion,
  supportStatus,
} from "../components/flink-versions.ts";
import { resolveClusterSpec } from "../components/flink-cluster.ts";
import { imageBuildPlan } from "../components/profiling-image.ts";
import { flinkVersionCheck } from "../scripts/lib/cluster/doctor-checks.ts";
import { FLINK_VERSION } from "../scripts/demo/local-flink/index.ts";

const root = path.resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const RUNNER = "registry.example.com/runner:1";

describe("the table of supported Flink versions", () => {
  it("is 1.20 (the 1.x LTS) and the 2.x lines, defaulting to the release the real-Flink tests run", () => {
    expect([...SUPPORTED_FLINK_VERSIONS]).toEqual(["1.20", "2.0", "2.1", "2.2", "2.3"]);
    expect(TESTED_FLINK_RELEASE.startsWith(`${DEFAULT_FLINK_VERSION}.`)).toBe(true);
    expect(FLINK_VERSION).toBe(TESTED_FLINK_RELEASE);
    for (const v of SUPPORTED_FLINK_VERSIONS) expect(parseFlinkVersion(`${v}.1`).id).toBe(v);
    for (const v of ["1.18", "1.19", "2.4"]) expect(() => parseFlinkVersion(v)).toThrow(FLINK_VERSIONS_FILE);
  });

  it("gives the components their default version", () => {
    expect(resolveClusterSpec("demo", { runnerImage: RUNNER }).version.id).toBe(DEFAULT_FLINK_VERSION);
    expect(resolveClusterSpec("demo", { runnerImage: RUNNER }).image).toBe(`flink:${DEFAULT_FLINK_VERSION}`);
    expect(imageBuildPlan({ registry: "r.example.com" }).flinkImage.buildArgs.FLINK_IMAGE).toBe(
      `flink:${DEFAULT_FLINK_VERSION}`,
    );
  });

  it("tells doctor which image versions are supported", () => {
    expect(flinkVersionCheck(`flink:${SUPPORTED_FLINK_VERSIONS[0]}.0-java17`).verdict).toBe("ok");
    expect(flinkVersionCheck(`flink:${TESTED_FLINK_RELEASE}`).verdict).toBe("ok");
    const older = flinkVersionCheck("flink:1.19.2");
    expect(older).toMatchObject({ verdict: "notice", what: expect.stringContaining("older") });
    expect(older.what).toContain(FLINK_VERSIONS_FILE);
    expect(flinkVersionCheck("flink:2.4.0").verdict).toBe("notice");
    expect(supportStatus("9.9")).toBe("newer");
    expect(supportStatus("x")).toBe("unknown");
  });

  it("is what the files that cannot import it say", () => {
    expect(read("scripts/demo/sample-job/pom.xml")).toContain(`<flink.version>${TESTED_FLINK_RELEASE}</flink.version>`);
    expect(read("cluster/build-images.sh")).toMatch(
      new RegExp(`^FLINK_VERSION=${TESTED_FLINK_RELEASE.replaceAll(".", "\\.")}$`, "m"),
    );
    expect(read("images/flink-profiling/Dockerfile")).toMatch(
      new RegExp(`^ARG FLINK_IMAGE=flink:${DEFAULT_FLINK_VERSION.replace(".", "\\.")}$`, "m"),
    );
    // Pulumi.yaml leaves the default to the table: "" means "not set" in components/program.ts.
    expect(read("Pulumi.yaml")).toMatch(/flink-profiling:flinkVersion:\n\s+type: string\n\s+default: ""\n/);
  });

  it("is the list the component docs give, with the file that holds it", () => {
    const docs = read("components/README.md");
    expect(docs).toContain(FLINK_VERSIONS_FILE);
    expect(docs).toContain(`today **${SUPPORTED_FLINK_VERSIONS.join(", ")}**, default **${DEFAULT_FLINK_VERSION}**`);
    expect(docs).toContain(`| \`flinkVersion\` | \`${DEFAULT_FLINK_VERSION}\` |`);
    expect(docs).toContain(`default ${DEFAULT_FLINK_VERSION}\n`);
  });
});
