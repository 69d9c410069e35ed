# shellcheck shell=bash
# Sourced by the cluster/ build scripts. Builds Go commands from a pinned module of this repo into the
# machine's cache (see fp_go_bin in common.sh: the folder's name carries a hash of go.mod and go.sum, so a
# changed pin builds again and an unchanged one is reused).

# go_module_key DIR -> short hash of DIR's go.mod and go.sum
go_module_key() {
  cat "$1/go.mod" "$1/go.sum" | sha256sum | cut -c1-12
}

# build_go_commands MODULE_DIR OUT_DIR LDFLAGS PACKAGE...: builds each package's command into OUT_DIR,
# skipping those already there. A PACKAGE written NAME=PATH names the binary (default: the path's last
# part). Each is written under a temporary name and renamed when complete, so an interrupted build never
# leaves a half-written binary that a later run would trust.
# CGO_ENABLED (default 0) and GO_BUILD_TAGS (default "selinux,notest") may be set by the caller.
build_go_commands() {
  local module=$1 out=$2 ldflags=$3
  shift 3
  mkdir -p "$out"
  local pkg name
  for pkg in "$@"; do
    name=$(basename "$pkg")
    if [[ "$pkg" == *=* ]]; then
      name=${pkg%%=*}
      pkg=${pkg#*=}
    fi
    [[ -x "$out/$name" ]] && continue
    progress "building $name from $(basename "$module")'s pinned module into $out"
    (cd "$module" && CGO_ENABLED="${CGO_ENABLED:-0}" go build -trimpath -tags "${GO_BUILD_TAGS:-selinux,notest}" \
      -ldflags "-s -w $ldflags" -o "$out/.$name.partial" "$pkg")
    mv "$out/.$name.partial" "$out/$name"
  done
}
