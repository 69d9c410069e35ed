#!/usr/bin/env bash
# Builds the sample Flink job and records the classpath of the local Flink processes.
# flink-dist is not on Maven Central, so the cluster runs from the separate modules that the
# sample job declares as "provided"; Maven resolves them (and downloads them on first use).
# Skips everything while the job's sources and the resolved jars are unchanged, because
# scripts/setup.sh runs this before every test and demo.
set -euo pipefail
cd "$(dirname "$0")/../.."

job=scripts/demo/sample-job
out=.cache/flink
stamp_file=$out/stamp

stamp=$( { echo "${JAVA_HOME:-}"; find "$job/pom.xml" "$job/src" -type f -print0 | sort -z | xargs -0 sha256sum; } \
  | sha256sum | cut -d' ' -f1)

up_to_date() {
  [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ] && [ -f "$out/orders-job.jar" ] \
    && [ -s "$out/classpath.txt" ] || return 1
  # The local Maven repository may have been cleaned since.
  local jar
  IFS=: read -ra jars < "$out/classpath.txt"
  for jar in "${jars[@]}"; do [ -f "$jar" ] || return 1; done
}

if up_to_date; then
  exit 0
fi

echo "setup: building the sample Flink job" >&2
mkdir -p "$out"
mvn -q -B -Dstyle.color=never -f "$job/pom.xml" package \
  dependency:build-classpath -DincludeScope=provided -Dmdep.outputFile="$PWD/$out/classpath.txt.new"
cp "$job/target/orders-job.jar" "$out/orders-job.jar.new" && mv "$out/orders-job.jar.new" "$out/orders-job.jar"
mv "$out/classpath.txt.new" "$out/classpath.txt"
echo "$stamp" > "$stamp_file"
