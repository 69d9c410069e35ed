#!/usr/bin/env bash
# Shellchecks the in-image helper as the one program it is when it runs: bin/flink-profiler with each
# `source "$FLINK_PROFILER_LIB/NAME.sh"` line replaced by that file. (Checked one by one, the library
# files would each warn about the globals the others set; checked through `-x`, shellcheck would follow
# them but report nothing inside them.) A finding's line is in the assembled file; the marker lines
# "… # ==== lib/NAME.sh" above it say which file it comes from.
set -euo pipefail
helper=$(cd "$(dirname "$0")/../../../images/flink-profiling" && pwd)
assembled=$(mktemp --suffix=.flink-profiler.sh)
trap 'rm -f "$assembled"' EXIT
while IFS= read -r line; do
  if [[ $line =~ ^source\ \"\$FLINK_PROFILER_LIB/([a-z-]+)\.sh\"$ ]]; then
    # The no-op uses the variable as the source line did.
    printf ': "$FLINK_PROFILER_LIB" # ==== lib/%s.sh\n' "${BASH_REMATCH[1]}"
    cat "$helper/lib/${BASH_REMATCH[1]}.sh"
  else
    printf '%s\n' "$line"
  fi
done < "$helper/bin/flink-profiler" > "$assembled"
# Every library file must be sourced, or it would go unchecked (and be missing when the helper runs).
for lib in "$helper"/lib/*.sh; do
  grep -q "# ==== lib/$(basename "$lib")\$" "$assembled" || { echo "shellcheck-helper: lib/$(basename "$lib") is not sourced by bin/flink-profiler" >&2; exit 1; }
done
shellcheck "$assembled"
