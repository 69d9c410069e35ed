#!/bin/sh
# Installs a kubectl binary after checking its sha256 against a table. Runs in the profiler-runner
# Dockerfile's install stage (busybox sh, sha256sum, awk), and anywhere with a POSIX shell.
#
# usage: install-kubectl.sh --binary FILE --version vX.Y.Z --arch amd64|arm64 --checksums FILE --dest PATH
#
#   The table has lines "<sha256>  <version>/bin/linux/<arch>/kubectl" (the release path); # starts a comment.
#
# Exit status: 0 installed, 2 bad usage, 3 checksum missing or wrong.
set -eu

die() { code="$1"; shift; echo "install-kubectl: $*" >&2; exit "$code"; }

binary='' version='' arch='' checksums='' dest=''
while [ $# -gt 0 ]; do
  case "$1" in
    --binary|--version|--arch|--checksums|--dest)
      [ $# -ge 2 ] || die 2 "$1 needs a value"
      case "$1" in
        --binary) binary="$2" ;; --version) version="$2" ;; --arch) arch="$2" ;;
        --checksums) checksums="$2" ;; --dest) dest="$2" ;;
      esac
      shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) die 2 "unknown argument: $1 (see --help)" ;;
  esac
done

for value in "$binary" "$version" "$arch" "$checksums" "$dest"; do
  [ -n "$value" ] || die 2 "--binary, --version, --arch, --checksums and --dest are all required"
done
case "$version" in v[0-9]*.[0-9]*.[0-9]*) ;; *) die 2 "version must look like v1.35.1; got '$version'" ;; esac
case "$arch" in amd64|arm64) ;; *) die 2 "unsupported architecture '$arch'; expected amd64 or arm64" ;; esac
case "$dest" in /*) ;; *) die 2 "dest must be an absolute path; got '$dest'" ;; esac
[ -f "$binary" ] || die 2 "binary not found: $binary"
[ -f "$checksums" ] || die 3 "checksum table not found: $checksums"

# Keyed by the release path, so a checksum always belongs to one version and architecture.
name="$version/bin/linux/$arch/kubectl"
expected="$(awk -v f="$name" '$1 !~ /^#/ && $2 == f { print $1 }' "$checksums")"
[ -n "$expected" ] || die 3 "no sha256 for $name in $checksums; add a line '<sha256>  $name'"
case "$expected" in
  *[!0-9a-f]*) die 3 "the sha256 for $name in $checksums is '$expected', not 64 hex digits" ;;
esac
[ "${#expected}" -eq 64 ] || die 3 "the sha256 for $name in $checksums is '$expected', not 64 hex digits"
actual="$(sha256sum "$binary" | cut -d' ' -f1)"
[ "$actual" = "$expected" ] \
  || die 3 "sha256 mismatch for $binary (as $name): expected $expected, got $actual; do not install it"

mkdir -p "$(dirname "$dest")"
cp "$binary" "$dest.tmp"
chmod 0755 "$dest.tmp"
mv "$dest.tmp" "$dest"
echo "install-kubectl: installed kubectl $version ($arch) as $dest" >&2
