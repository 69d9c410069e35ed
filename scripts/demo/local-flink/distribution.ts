// Which Flink the local cluster runs: the release the real-Flink tests pin, from the separate Flink
// modules that scripts/setup/flink.sh resolves from Maven Central into .cache/flink (flink-dist, with its
// bin/ and lib/, is not published there), or another distribution the caller names.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { TESTED_FLINK_RELEASE } from "../../../components/flink-versions.ts";

// The release of the project's version table that the real-Flink tests run; the sample job's pom.xml
// pins the same jars (test/flink-versions.test.ts keeps them equal).
export const FLINK_VERSION = TESTED_FLINK_RELEASE;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const cacheDir = join(repoRoot, ".cache/flink");

/** Another Flink's jars and job jar, e.g. Flink 1.20.5's from test/flink-rest/flink-1.20/build.sh. */
export type DistributionFiles = { classpathFile: string; jobJar: string };

export type Distribution = {
  /** The Flink modules, `:`-separated: the JobManager's and TaskManagers' classpath. */
  classpath: string;
  /** The sample jobs' jar: the job client runs from it and submits it as the job's user jar. */
  jobJar: string;
  /** For the start-up message: the version, or where the other distribution's classpath came from. */
  description: string;
  java: string;
};

/** The files of `other`, else the project's own Flink, brought up to date first. */
export async function resolveDistribution(other?: DistributionFiles): Promise<Distribution> {
  // Near-instant when up to date; keeps `npx vitest run` working without `npm test`'s pre-hook.
  // Another distribution is built by its own script, so flink.sh is not run for it.
  if (!other)
    await execa("bash", [join(repoRoot, "scripts/setup/flink.sh")], {
      stdin: "ignore",
      stdout: "ignore",
      stderr: "inherit",
    });
  return {
    classpath: readFileSync(other?.classpathFile ?? join(cacheDir, "classpath.txt"), "utf8").trim(),
    jobJar: other?.jobJar ?? join(cacheDir, "orders-job.jar"),
    description: other ? `from ${other.classpathFile}` : FLINK_VERSION,
    java: process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin/java") : "java",
  };
}
