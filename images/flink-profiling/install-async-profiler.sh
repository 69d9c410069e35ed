#!/usr/bin/env bash
# Installs an async-profiler release tarball into a prefix, after checking its sha256 against the
# repository's table. Used by the Dockerfile, and runnable outside Docker (the tests do).
#
# usage: install-async-profiler.sh [--tarball FILE] [--version V] [--arch A] [--checksums FILE] [--prefix DIR]
#
#   --tarball    the release tarball                 env AP_TARBALL, default ./async-profiler-<V>-linux-<arch>.tar.gz
#   --version    async-profiler version              env ASYNC_PROFILER_VERSION, default: async-profiler.version beside this script
#   --arch       amd64|x86_64|x64 or arm64|aarch64   env TARGETARCH (set by BuildKit), default: uname -m
#   --checksums  table of "<sha256>  <file name>"    env AP_CHECKSUMS, default: async-profiler.sha256 beside this script
#   --prefix     where bin/ and lib/ go              env AP_PREFIX, default /opt/async-profiler
#
# Exit status: 0 installed, 2 bad usage, 3 checksum missing or wrong, 4 tarball not in release layout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { local code="$1"; shift; echo "install-async-profiler: $*" >&2; exit "$code"; }

tarball="${AP_TARBALL:-}"
version="${ASYNC_PROFILER_VERSION:-}"
arch="${TARGETARCH:-}"
checksums="${AP_CHECKSUMS:-$here/async-profiler.sha256}"
prefix="${AP_PREFIX:-/opt/async-profiler}"

while [ $# -gt 0 ]; do
  case "$1" in
    --tarball|--version|--arch|--checksums|--prefix)
      [ $# -ge 2 ] || die 2 "$1 needs a value"
      case "$1" in
        --tarball) tarball="$2" ;; --version) version="$2" ;; --arch) arch="$2" ;;
        --checksums) checksums="$2" ;; --prefix) prefix="$2" ;;
      esac
      shift 2 ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die 2 "unknown argument: $1 (see --help)" ;;
  esac
done

if [ -z "$version" ]; then
  [ -f "$here/async-profiler.version" ] || die 2 "no --version given and no async-profiler.version beside this script"
  version="$(tr -d '[:space:]' < "$here/async-profiler.version")"
fi
[[ "$version" =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]] || die 2 "version must look like 4.5; got '$version'"

# Docker says amd64/arm64, the kernel x86_64/aarch64, async-profiler's file names x64/arm64.
case "${arch:-$(uname -m)}" in
  amd64|x86_64|x64) ap_arch=x64 ;;
  arm64|aarch64) ap_arch=arm64 ;;
  *) die 2 "unsupported architecture '${arch:-$(uname -m)}'; async-profiler ships linux x64 and arm64" ;;
esac

name="async-profiler-${version}-linux-${ap_arch}"
tarball="${tarball:-./$name.tar.gz}"
[ -f "$tarball" ] || die 2 "tarball not found: $tarball"
[ -f "$checksums" ] || die 3 "checksum table not found: $checksums"
case "$prefix" in /*) ;; *) die 2 "prefix must be an absolute path; got '$prefix'" ;; esac

# The table is keyed by the release file name, so a checksum always belongs to one version and arch.
expected="$(awk -v f="$name.tar.gz" '$1 !~ /^#/ && $2 == f { print $1 }' "$checksums")"
[ -n "$expected" ] || die 3 "no sha256 for $name.tar.gz in $checksums; add a line '<sha256>  $name.tar.gz' for this version"
[[ "$expected" =~ ^[0-9a-f]{64}$ ]] \
  || die 3 "the sha256 for $name.tar.gz in $checksums is '$expected', not 64 hex digits; put the real value there"
actual="$(sha256sum "$tarball" | cut -d' ' -f1)"
if [ "$actual" != "$expected" ]; then
  die 3 "sha256 mismatch for $tarball (as $name.tar.gz): expected $expected, got $actual." \
    "The download is corrupt or not the release the table pins; do not install it."
fi

# Every member must sit under the release's one top-level folder: nothing may land outside the prefix.
while IFS= read -r member; do
  case "$member" in
    "$name"/*|"$name") ;;
    *) die 4 "unexpected entry '$member' in $tarball: expected everything under $name/" ;;
  esac
  case "/$member/" in */../*) die 4 "entry '$member' in $tarball climbs out of its folder" ;; esac
done < <(tar -tzf "$tarball")

parent="$(dirname "$prefix")"
mkdir -p "$parent"
work="$(mktemp -d "$parent/.async-profiler.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work" --no-same-owner --no-same-permissions
root="$work/$name"
for f in bin/asprof bin/jfrconv lib/libasyncProfiler.so; do
  [ -f "$root/$f" ] || die 4 "$tarball has no $name/$f: not an async-profiler $version release layout"
done

# Root owns the files so the JVM's user cannot change them; everyone may read and run them, because
# asprof runs as the JVM's user and the JVM loads the agent from this very path.
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -exec chmod 0644 {} +
find "$root/bin" -type f -exec chmod 0755 {} +
if [ "$(id -u)" = 0 ]; then chown -R 0:0 "$root"; fi

rm -rf "$prefix"
mv "$root" "$prefix"
echo "install-async-profiler: installed async-profiler $version ($ap_arch) in $prefix" >&2
