#!/usr/bin/env bash
# Builds the Flink 1.20 pipeline job and the classpath of a local Flink 1.20.5 from Maven Central into
# .cache/flink-1.20 (for test/flink-rest/record-fixtures.ts with FLINK_1_20=1). Not part of the test run.
set -euo pipefail
cd "$(dirname "$0")"
out=../../../.cache/flink-1.20
mkdir -p "$out"
mvn -q -B -Dstyle.color=never package dependency:build-classpath -DincludeScope=provided -Dmdep.outputFile="$(cd "$out" && pwd)/classpath.txt"
cp target/pipeline-job-1.20.jar "$out/pipeline-job.jar"
