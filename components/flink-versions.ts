/**
 * The one table of Flink versions this project supports. Everything that names a Flink version reads it
 * from here: the components (default version, validation), the scripts (doctor, the local Flink), the
 * tests, and — through a test that compares them — the files that cannot import it (Pulumi.yaml, the
 * Dockerfile's default base image, the sample job's pom.xml, cluster/build-images.sh, the READMEs).
 *
 * Why this set: Flink's built-in REST profiler and `config.yaml` need 1.19 or later, and 1.19 is out of
 * support upstream; 1.20 is the 1.x long-term-support line and 2.0–2.3 the current 2.x lines, which is also
 * what the Flink Kubernetes Operator supports (roughly the last four minors; shared/reference/flink.md).
 * Maven Central serves the separate Flink modules for all of them. The project's real-Flink tests
 * (local cluster, profiler, memory boundaries, the end-to-end tier) run TESTED_FLINK_RELEASE.
 */

/** Supported minor versions, oldest first. A patch version of any of them is accepted. */
export const SUPPORTED_FLINK_VERSIONS = ["1.20", "2.0", "2.1", "2.2", "2.3"] as const;
export type FlinkMinor = (typeof SUPPORTED_FLINK_VERSIONS)[number];

/** The release the real-Flink tests start (from Maven Central jars and the cluster tier's image). */
export const TESTED_FLINK_RELEASE = "2.3.0";

/** What the components build and deploy when no version is given: the one the tests prove. */
export const DEFAULT_FLINK_VERSION: FlinkMinor = "2.3";

/** Where the table lives, for messages and docs. */
export const FLINK_VERSIONS_FILE = "components/flink-versions.ts";

export interface FlinkVersion {
  major: number;
  minor: number;
  /** `major.minor`, e.g. `1.20`. */
  id: FlinkMinor;
}

/** Accepts `1.20`, `2.3`, or a patch version such as `1.20.1`; refuses anything outside the table. */
export function parseFlinkVersion(value: unknown): FlinkVersion {
  const match = typeof value === "string" ? /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(value) : null;
  const id = match ? `${Number(match[1])}.${Number(match[2])}` : undefined;
  if (!match || !(SUPPORTED_FLINK_VERSIONS as readonly string[]).includes(id!)) {
    throw new Error(
      `unknown Flink version ${JSON.stringify(value)}; supported: ${SUPPORTED_FLINK_VERSIONS.join(", ")} ` +
        `(a patch version such as "1.20.1" is accepted too; the table is ${FLINK_VERSIONS_FILE})`,
    );
  }
  return { major: Number(match[1]), minor: Number(match[2]), id: id as FlinkMinor };
}

/** Where a `major.minor[.patch]` version stands against the table: for doctor, which sees image tags. */
export function supportStatus(version: string): "supported" | "older" | "newer" | "unknown" {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (!match) return "unknown";
  const key = (v: string) =>
    v
      .split(".")
      .slice(0, 2)
      .map(Number)
      .reduce((a, n) => a * 1000 + n);
  const wanted = key(`${match[1]}.${match[2]}`);
  if ((SUPPORTED_FLINK_VERSIONS as readonly string[]).includes(`${Number(match[1])}.${Number(match[2])}`))
    return "supported";
  if (wanted < key(SUPPORTED_FLINK_VERSIONS[0])) return "older";
  if (wanted > key(SUPPORTED_FLINK_VERSIONS[SUPPORTED_FLINK_VERSIONS.length - 1])) return "newer";
  return "unknown";
}
