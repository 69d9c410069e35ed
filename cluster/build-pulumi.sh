#!/usr/bin/env bash
# Builds the Pulumi toolchain of the local real-cluster tier from Go modules pinned in cluster/go/, once per
# machine, into $FP_CACHE: the CLI (pulumi), this repo's Node.js language host (pulumi-language-nodejs), Pulumi's
# YAML language host (pulumi-language-yaml) and the Kubernetes provider (pulumi-resource-kubernetes).
# Prints the directory holding all four as its last line on stdout; progress goes to stderr.
# Every part is keyed by its pins (go.mod/go.sum), so a changed pin rebuilds that part only; binaries and
# folders are written under temporary names and renamed when complete, so an interrupted build is redone
# rather than half used.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=lib/build-go.sh
source "$here/lib/build-go.sh"

# Versions stamped into the binaries; they must match the pins in cluster/go/*/go.mod.
PULUMI_VERSION=3.274.1
KUBERNETES_VERSION=4.25.0 # the release behind the only provider pseudo-version the proxy serves
YAML_VERSION=1.25.0
# Bump when the build steps below change, so that machines rebuild instead of reusing the old output.
RECIPE=1

GO_DIR=$FP_CLUSTER_DIR/go
PARTS=$FP_CACHE/pulumi-parts
PROVIDER=github.com/pulumi/pulumi-kubernetes/provider/v4

command -v go >/dev/null || die "go is not installed"
mkdir -p "$PARTS"
# Two builds at once would share the .partial directories.
exec 9>"$PARTS/.lock"
flock 9

# part_key NAME VERSION MODULE_DIR [FILE...] -> NAME-VERSION-<hash of the pins, extra files and RECIPE>
part_key() {
  local name=$1 version=$2 module=$3
  shift 3
  printf '%s-%s-%s\n' "$name" "$version" \
    "$({ go_module_key "$module"; echo "$RECIPE"; cat "$@" /dev/null; } | sha256sum | cut -c1-12)"
}

# prune_old NAME KEPT: a changed pin leaves the previous build of that part behind; it is not needed any more.
prune_old() {
  local dir
  for dir in "$PARTS/$1"-*; do
    if [[ -d $dir && $dir != "$PARTS/$2" && $dir != "$PARTS/$2.partial" ]]; then
      rm -rf "$dir"
    fi
  done
}

# The CLI and our Node.js host share one module and one -X: the host reports the CLI's version, as Pulumi's does.
cli=$(part_key cli "$PULUMI_VERSION" "$GO_DIR/pulumi" "$GO_DIR"/pulumi/pulumi-language-nodejs/*.go)
build_go_commands "$GO_DIR/pulumi" "$PARTS/$cli" \
  "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ./pulumi-language-nodejs
prune_old cli "$cli"

yaml=$(part_key yaml "$YAML_VERSION" "$GO_DIR/pulumi-yaml")
build_go_commands "$GO_DIR/pulumi-yaml" "$PARTS/$yaml" \
  "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$YAML_VERSION" \
  github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
prune_old yaml "$yaml"

# The provider's main embeds schema-embed.json, which its release process generates (and git ignores), so the
# module is built in a writable copy: its replace of the sdk by a sibling folder (not in the module) is dropped,
# so the sdk comes from the proxy as cluster/go/pulumi-kubernetes pins it, and `go generate` writes the file.
kubernetes=$(part_key kubernetes "$KUBERNETES_VERSION" "$GO_DIR/pulumi-kubernetes")
src=$PARTS/$kubernetes-src
if [[ ! -x $PARTS/$kubernetes/pulumi-resource-kubernetes && ! -f $src/.prepared ]]; then
  progress "preparing a copy of $PROVIDER (go generate with VERSION=$KUBERNETES_VERSION)"
  # Downloading through our module checks the provider against our go.sum.
  module_dir=$(cd "$GO_DIR/pulumi-kubernetes" && go mod download "$PROVIDER" && go list -m -f '{{.Dir}}' "$PROVIDER")
  rm -rf "$src.partial"
  cp -R "$module_dir" "$src.partial"
  chmod -R u+w "$src.partial"
  (cd "$src.partial" && go mod edit -dropreplace=github.com/pulumi/pulumi-kubernetes/sdk/v4)
  # The copy's go.sum lacks the sdk (it was replaced); ours has it and agrees on everything else.
  sort -u "$src.partial/go.sum" "$GO_DIR/pulumi-kubernetes/go.sum" -o "$src.partial/go.sum"
  (cd "$src.partial/cmd/pulumi-resource-kubernetes" && VERSION=$KUBERNETES_VERSION go generate .)
  touch "$src.partial/.prepared"
  rm -rf "$src"
  mv "$src.partial" "$src"
fi
build_go_commands "$src" "$PARTS/$kubernetes" \
  "-X $PROVIDER/pkg/version.Version=$KUBERNETES_VERSION" \
  ./cmd/pulumi-resource-kubernetes
rm -rf "$src" # only needed until the provider is built; it is regenerated if the pin changes
prune_old kubernetes "$kubernetes"

# One directory with all four, for PATH. The CLI looks for language hosts beside itself first (elsewhere on
# PATH it warns); the provider is found on PATH ("ambient": any version asked for, with a warning) or through
# Pulumi.yaml's plugins.providers[].path.
bin=$FP_CACHE/pulumi-$PULUMI_VERSION-$(printf '%s\n' "$cli" "$yaml" "$kubernetes" | sha256sum | cut -c1-12)/bin
if [[ ! -f $bin/.complete ]]; then
  rm -rf "$bin.partial"
  mkdir -p "$bin.partial"
  for part in "$cli" "$yaml" "$kubernetes"; do
    # Hard links cost no space; the parts stay where their keys are.
    cp -l "$PARTS/$part"/* "$bin.partial/" 2>/dev/null || cp "$PARTS/$part"/* "$bin.partial/"
  done
  touch "$bin.partial/.complete"
  rm -rf "$bin"
  mv "$bin.partial" "$bin"
fi
for dir in "$FP_CACHE"/pulumi-[0-9]*; do
  [[ $dir == "$(dirname "$bin")" ]] || rm -rf "$dir"
done
progress "Pulumi toolchain ready: $("$bin/pulumi" version) in $bin"
echo "$bin"
