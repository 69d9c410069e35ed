#!/usr/bin/env bash
# Builds the project's images on this machine, where no image can be pulled, from the project's own
# Dockerfiles, and imports them into a containerd.
#
#   cluster/build-images.sh [build]                      build what changed; OCI archives in $FP_CACHE/images/
#   cluster/build-images.sh import --address SOCK        build, then `ctr -n k8s.io images import` each image
#   cluster/build-images.sh refs                         print the image references
#
# Both build and import print the image references on stdout (progress goes to stderr):
#   flink-profiling.local/flink-official-standin:2.3.0   STAND-IN for the official flink:2.3.0 (Java 17) image
#   flink-profiling.local/flink-profiling:2.3.0-ap<V>    images/flink-profiling on that base (async-profiler <V>)
#   flink-profiling.local/flink-profiler-runner:<kubectl version>  images/profiler-runner on a busybox stand-in
#   flink-profiling.local/pause:1                        the kubelet's sandbox image
# Inputs: Flink's jars and the async-profiler tarball from the repo's setup (Maven Central), kubectl from
# $FP_CACHE/go-kubernetes-*/ (Go-built; KUBECTL_BIN=FILE overrides), busybox-static and the Debian
# bookworm root file system from the machine's apt sources. Every step is cached, keyed by its inputs.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=SCRIPTDIR/lib/build-go.sh
source "$here/lib/build-go.sh"
# shellcheck source=SCRIPTDIR/lib/buildkit.sh
source "$here/lib/buildkit.sh"

repo="$(cd "$here/.." && pwd)"
images_dir="$here/images"
out="$FP_CACHE/images"
BUILDKIT_VERSION=v0.34.2
FLINK_VERSION=2.3.0
AP_VERSION="$(tr -d '[:space:]' < "$repo/images/flink-profiling/async-profiler.version")"
ROOTFS_PACKAGES=openjdk-17-jre-headless,libjemalloc2,libsnappy1v5,gettext-base

REF_ROOTFS=flink-profiling.local/debian-bookworm-jre17-rootfs
REF_FRONTEND=flink-profiling.local/dockerfile-frontend:$BUILDKIT_VERSION
REF_BUSYBOX=flink-profiling.local/busybox-standin
REF_BASE=flink-profiling.local/flink-official-standin:$FLINK_VERSION
REF_FLINK=flink-profiling.local/flink-profiling:$FLINK_VERSION-ap$AP_VERSION
REF_RUNNER=flink-profiling.local/flink-profiler-runner  # tagged with the kubectl version below
REF_PAUSE=flink-profiling.local/pause:1

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" >&2; exit "${1:-2}"; }
hash_of() { sha256sum | cut -c1-16; }
# hash_dir DIR: one hash over the names and contents of every file under DIR.
hash_dir() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | hash_of; }
took() { echo "$(( $(date +%s) - $1 )) s"; }

# --- inputs ---------------------------------------------------------------------------------------

# buildkitd, buildctl and the Dockerfile frontend, from cluster/go/buildkit (skipped when already built).
build_buildkit() {
  local start name
  BUILDKIT_BIN="$(fp_go_bin buildkit)"
  for name in buildkitd buildctl dockerfile-frontend; do
    [[ -x "$BUILDKIT_BIN/$name" ]] || break
  done
  [[ -x "$BUILDKIT_BIN/$name" ]] && return 0
  start=$(date +%s)
  build_go_commands "$here/go/buildkit" "$BUILDKIT_BIN" \
    "-X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION -X main.Version=$BUILDKIT_VERSION" \
    github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl \
    github.com/moby/buildkit/frontend/dockerfile/cmd/dockerfile-frontend
  progress "buildkit built in $(took "$start")"
}

# The first apt source that serves bookworm's main component: the machine's own mirror.
apt_mirror() {
  apt-cache policy | awk '$3 == "bookworm/main" && $4 == "amd64" { print $2; exit }'
}

# make_rootfs DIR MIRROR: Debian bookworm minbase with the JRE and the libraries the official image has
# (jemalloc, snappy, envsubst), trimmed of what a container does not use. Part of the rootfs cache key.
make_rootfs() {
  local dir=$1 mirror=$2
  debootstrap --variant=minbase --arch=amd64 --include="$ROOTFS_PACKAGES" bookworm "$dir" "$mirror" >&2
  # Docs, manuals, translations, package lists and logs; /dev is the runtime's, and so are resolv.conf
  # and hostname.
  (cd "$dir" && rm -rf usr/share/{doc,man,info,lintian}/* usr/share/locale/* var/lib/apt/lists/* \
    var/cache/apt/* var/cache/debconf/*-old var/log/* dev/* tmp/* var/tmp/* etc/hostname)
  : > "$dir/etc/resolv.conf"
  # The JRE where the official image's eclipse-temurin base has it, and jemalloc where its entrypoint
  # looks (Debian's libjemalloc-dev would add the same link and a 4 MB static library).
  mkdir -p "$dir/opt/java"
  ln -sfn /usr/lib/jvm/java-17-openjdk-amd64 "$dir/opt/java/openjdk"
  ln -sfn libjemalloc.so.2 "$dir/usr/lib/x86_64-linux-gnu/libjemalloc.so"
  tar --numeric-owner --sort=name -C "$dir" -cf "$dir.tar" .
}

build_rootfs() {
  local mirror key start
  mirror="$(apt_mirror)"
  [[ -n "$mirror" ]] || die "no apt source for bookworm/main found (apt-cache policy)"
  key="$( { echo "$mirror"; declare -f make_rootfs; echo "$ROOTFS_PACKAGES"; } | hash_of)"
  ROOTFS_DIR="$FP_CACHE/rootfs/bookworm-jre17-$key"
  [[ -f "$ROOTFS_DIR/rootfs.tar" ]] && return 0
  start=$(date +%s)
  progress "debootstrap: Debian bookworm minbase + $ROOTFS_PACKAGES (cached in $ROOTFS_DIR)"
  rm -rf "$ROOTFS_DIR.partial" "$ROOTFS_DIR.partial.tar"
  mkdir -p "$ROOTFS_DIR.partial"
  make_rootfs "$ROOTFS_DIR.partial" "$mirror"
  rm -rf "$ROOTFS_DIR.partial"
  mkdir -p "$ROOTFS_DIR"
  mv "$ROOTFS_DIR.partial.tar" "$ROOTFS_DIR/rootfs.tar"
  progress "rootfs made in $(took "$start"): $(du -h "$ROOTFS_DIR/rootfs.tar" | cut -f1)"
}

# Named-context folders, filled from the repo's setup (Maven Central) and the machine.
stage_inputs() {
  local in="$out/inputs" deb version jar
  bash "$repo/scripts/setup/flink.sh"
  bash "$repo/scripts/setup/async-profiler.sh"
  rm -rf "$in" && mkdir -p "$in"/{flink-lib,ap,ap-sums,kubectl,kubectl-sums,busybox,pause,frontend}

  # Flink 2.3.0's jars: the classpath the repo's local Flink runs from (scripts/demo/local-flink/).
  local jars
  IFS=: read -ra jars <<<"$(cat "$repo/.cache/flink/classpath.txt")"
  for jar in "${jars[@]}"; do cp "$jar" "$in/flink-lib/"; done

  # async-profiler: the release-layout tarball made from Maven Central's ap-loader, with its own table.
  local tarball="$repo/.cache/async-profiler/async-profiler-$AP_VERSION-linux-x64.tar.gz"
  cp "$tarball" "$in/ap/async-profiler.tar.gz"
  printf '# computed by cluster/build-images.sh from %s\n%s  %s\n' "${tarball#"$repo"/}" \
    "$(sha256sum < "$tarball" | cut -d' ' -f1)" "$(basename "$tarball")" > "$in/ap-sums/async-profiler.sha256"

  # kubectl: the Go-built one of the local cluster; its table is computed from the file itself.
  KUBECTL_FILE="${KUBECTL_BIN:-$(fp_go_bin kubernetes)/kubectl}"
  [[ -x "$KUBECTL_FILE" ]] \
    || die "no $KUBECTL_FILE (the cluster's Kubernetes build makes it); set KUBECTL_BIN=FILE to use another"
  KUBECTL_VERSION="$("$KUBECTL_FILE" version --client -o json | sed -n 's/.*"gitVersion": *"\(v[0-9][^"]*\)".*/\1/p')"
  [[ -n "$KUBECTL_VERSION" ]] || die "cannot read the version of $KUBECTL_FILE"
  cp "$KUBECTL_FILE" "$in/kubectl/kubectl"
  printf '# computed by cluster/build-images.sh from %s\n%s  %s/bin/linux/amd64/kubectl\n' "$KUBECTL_FILE" \
    "$(sha256sum < "$KUBECTL_FILE" | cut -d' ' -f1)" "$KUBECTL_VERSION" > "$in/kubectl-sums/kubectl.sha256"

  # busybox: Debian's static build, downloaded once per version with apt (the machine's sources).
  version="$(apt-cache policy busybox-static | awk '/Candidate:/ { print $2 }')"
  [[ -n "$version" && "$version" != "(none)" ]] || die "apt knows no busybox-static"
  BUSYBOX_VERSION="${version#*:}"; BUSYBOX_VERSION="${BUSYBOX_VERSION%%-*}"
  mkdir -p "$FP_CACHE/debs"
  # apt writes the epoch as %3a in the file name.
  deb="$FP_CACHE/debs/busybox-static_${version/:/%3a}_amd64.deb"
  if [[ ! -f "$deb" ]]; then
    progress "apt-get download busybox-static=$version"
    (cd "$FP_CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root "busybox-static=$version" >&2)
    [[ -f "$deb" ]] || die "apt-get download did not leave $deb"
  fi
  dpkg-deb --fsys-tarfile "$deb" | tar -xO ./bin/busybox > "$in/busybox/busybox"

  gcc -static -s -O2 -Wall -Wextra -Werror -o "$in/pause/pause" "$images_dir/pause/pause.c"
  cp "$BUILDKIT_BIN/dockerfile-frontend" "$in/frontend/"
}

# --- images ---------------------------------------------------------------------------------------

# base_context NAME REF: the options that hand the image NAME (built earlier) to a build as the
# named context REF, from its OCI layout.
base_context() {
  local layout="$out/$1.layout"
  if [[ ! -f "$layout/index.json" ]]; then
    rm -rf "$layout" && mkdir -p "$layout" && tar -xf "$out/$1.oci.tar" -C "$layout"
  fi
  printf '%s\n' --oci-layout "$1=$layout" --opt "context:$2=oci-layout://$1@$(cat "$out/$1.oci.tar.digest")"
}

# frontend_context DOCKERFILE: the local frontend under the name of the file's `# syntax=` line, if any.
frontend_context() {
  local syntax
  syntax="$(sed -n '1s/^# *syntax=\([^ ]*\).*/\1/p' "$1")"
  [[ -z "$syntax" ]] || base_context dockerfile-frontend "$syntax"
}

# image NAME REF DOCKERFILE_DIR CONTEXT_DIR [buildctl options...]: builds unless the archive's key is
# unchanged: the Dockerfile folder, the context, the options with the base digests they pin, and the
# contents of every --local folder. (The rootfs context is named by its own key: no need to read it.)
image() {
  local name=$1 ref=$2 dir=$3 context=$4 key arg prev="" start
  shift 4
  key="$( { echo "$BUILDKIT_BIN $ref"; hash_dir "$dir"
    if [[ "$context" == "${ROOTFS_DIR:-}" ]]; then echo "$context"; else hash_dir "$context"; fi
    for arg in "$@"; do
      echo "$arg"
      if [[ "$prev" == --local ]]; then hash_dir "${arg#*=}"; fi
      prev=$arg
    done; } | hash_of)"
  if [[ -f "$out/$name.oci.tar" && "$(cat "$out/$name.key" 2>/dev/null)" == "$key" ]]; then
    progress "$name: up to date ($ref)"
    return 0
  fi
  [[ -n "$BK_PID" ]] || bk_start "$BUILDKIT_BIN" "$FP_CACHE/buildkit-state"
  start=$(date +%s)
  progress "$name: building $ref"
  rm -rf "$out/$name.layout"
  bk_build "$out/$name.oci.tar" "$ref" "$dir" "$context" "$@"
  echo "$key" > "$out/$name.key"
  progress "$name: built in $(took "$start"), $(du -h "$out/$name.oci.tar" | cut -f1) ($out/$name.oci.tar)"
}

build_all() {
  local in="$out/inputs" opts
  mkdir -p "$out"
  exec 8>"$out/.lock"
  flock 8
  trap bk_stop EXIT
  build_buildkit
  build_rootfs
  stage_inputs
  REF_RUNNER_TAGGED="$REF_RUNNER:$KUBECTL_VERSION"

  image dockerfile-frontend "$REF_FRONTEND" "$images_dir/dockerfile-frontend" "$in/frontend" \
    --local "frontend=$in/frontend" --opt context:frontend-binary=local:frontend
  image rootfs "$REF_ROOTFS" "$images_dir/flink-base-standin" "$ROOTFS_DIR" --opt filename=rootfs.Dockerfile
  mapfile -t opts < <(base_context rootfs "$REF_ROOTFS")
  image flink-base-standin "$REF_BASE" "$images_dir/flink-base-standin" "$images_dir/flink-base-standin" \
    "${opts[@]}" --local "flinklib=$in/flink-lib" --opt context:flink-lib=local:flinklib
  image busybox-standin "$REF_BUSYBOX:$BUSYBOX_VERSION" "$images_dir/busybox-standin" "$images_dir/busybox-standin" \
    --local "busybox=$in/busybox" --opt context:busybox-binary=local:busybox
  image pause "$REF_PAUSE" "$images_dir/pause" "$images_dir/pause" \
    --local "pause=$in/pause" --opt context:pause-binary=local:pause

  # The production Dockerfiles, unchanged: the bases, the download stages and the checksum tables come
  # in as named contexts; the install steps check the local files against the local tables.
  local dockerfile="$repo/images/flink-profiling/Dockerfile"
  mapfile -t opts < <(frontend_context "$dockerfile"; base_context flink-base-standin "$REF_BASE")
  image flink-profiling "$REF_FLINK" "$repo/images/flink-profiling" "$repo/images/flink-profiling" "${opts[@]}" \
    --opt "build-arg:FLINK_IMAGE=$REF_BASE" --opt "build-arg:ASYNC_PROFILER_VERSION=$AP_VERSION" \
    --local "ap=$in/ap" --opt context:async-profiler-amd64=local:ap \
    --local "apsums=$in/ap-sums" --opt context:async-profiler-checksums=local:apsums
  dockerfile="$repo/images/profiler-runner/Dockerfile"
  mapfile -t opts < <(frontend_context "$dockerfile"; base_context busybox-standin "$REF_BUSYBOX:$BUSYBOX_VERSION")
  image profiler-runner "$REF_RUNNER_TAGGED" "$repo/images/profiler-runner" "$repo/images/profiler-runner" "${opts[@]}" \
    --opt "build-arg:BASE_IMAGE=$REF_BUSYBOX:$BUSYBOX_VERSION" --opt "build-arg:KUBECTL_VERSION=$KUBECTL_VERSION" \
    --local "kubectl=$in/kubectl" --opt context:kubectl-amd64=local:kubectl \
    --local "kubectlsums=$in/kubectl-sums" --opt context:kubectl-checksums=local:kubectlsums
  bk_stop
}

# The images a cluster uses, as "archive-name reference" lines.
runtime_images() {
  printf '%s %s\n' flink-base-standin "$REF_BASE" flink-profiling "$REF_FLINK" \
    profiler-runner "$REF_RUNNER_TAGGED" pause "$REF_PAUSE"
}

import_all() {
  local sock=$1 name ref
  command -v ctr >/dev/null || die "ctr not found"
  [[ -S "$sock" ]] || die "no containerd socket at $sock"
  while read -r name ref; do
    progress "importing $ref into containerd ($sock, namespace k8s.io)"
    ctr -a "$sock" -n k8s.io images import --platform linux/amd64 "$out/$name.oci.tar" >&2
  done < <(runtime_images)
}

main() {
  local mode=${1:-build} address=""
  trap 'progress "failed: line $LINENO: $BASH_COMMAND"' ERR
  [[ $# -eq 0 ]] || shift
  case "$mode" in
    build) [[ $# -eq 0 ]] || usage ;;
    import)
      [[ $# -eq 2 && "$1" == --address ]] || usage
      address=$2 ;;
    refs)
      REF_RUNNER_TAGGED="$REF_RUNNER:$(cat "$out/profiler-runner.kubectl-version" 2>/dev/null || echo '<kubectl version>')"
      runtime_images | cut -d' ' -f2
      return 0 ;;
    -h|--help) usage 0 ;;
    *) usage ;;
  esac
  build_all
  echo "$KUBECTL_VERSION" > "$out/profiler-runner.kubectl-version"
  if [[ "$mode" == import ]]; then import_all "$address"; fi
  runtime_images | cut -d' ' -f2
}

# Run unless sourced (a test may source this file for its functions).
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main "$@"; fi
