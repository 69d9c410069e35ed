# shellcheck shell=bash
# Sourced by cluster/build-images.sh: a private buildkitd for the length of one run, and builds through it.
# Needs progress and die from common.sh. Why a private daemon: no image can be pulled here and Debian's
# buildah and dockerd lack BuildKit features the project's Dockerfiles use, so buildkitd is built from Go
# modules (cluster/go/buildkit) and runs with the OCI worker (Debian's runc), its own state directory and
# socket, and is stopped by its pid when the run ends.

BK_PID=""
BK_RUN=""
BK_BIN=""
BK_ADDR=""

# bk_start BIN_DIR ROOT: starts buildkitd with its state in ROOT (kept between runs: its build cache).
bk_start() {
  BK_BIN=$1
  local root=$2 i
  mkdir -p "$root"
  BK_RUN="$(mktemp -d /tmp/fp-buildkitd.XXXXXX)"
  BK_ADDR="unix://$BK_RUN/buildkitd.sock"
  # host network: RUN steps need no network (nothing can be downloaded), and CNI would need plugins.
  # At most 2 steps at a time: the machine has 2 cores and shares them with other builds.
  "$BK_BIN/buildkitd" --root "$root" --addr "$BK_ADDR" --otel-socket-path "$BK_RUN/otel.sock" \
    --oci-worker=true --containerd-worker=false --oci-worker-net=host --oci-max-parallelism=2 \
    --oci-worker-gc --oci-worker-gc-keepstorage=10000 --cdi-disabled \
    >"$BK_RUN/buildkitd.log" 2>&1 &
  BK_PID=$!
  for i in $(seq 1 100); do
    if "$BK_BIN/buildctl" --addr "$BK_ADDR" debug workers >/dev/null 2>&1; then
      progress "buildkitd ready (pid $BK_PID, socket $BK_RUN/buildkitd.sock, state $root)"
      return 0
    fi
    kill -0 "$BK_PID" 2>/dev/null || break
    sleep 0.2
  done
  tail -n 20 "$BK_RUN/buildkitd.log" >&2
  die "buildkitd did not start (log above; after $i tries)"
}

# bk_stop: stops the daemon this run started (by pid, SIGTERM, then SIGKILL after 20 s) and its run dir.
bk_stop() {
  if [[ -n "$BK_PID" ]] && kill -0 "$BK_PID" 2>/dev/null; then
    kill -TERM "$BK_PID"
    local i
    for i in $(seq 1 100); do
      kill -0 "$BK_PID" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$BK_PID" 2>/dev/null && kill -KILL "$BK_PID"
    wait "$BK_PID" 2>/dev/null || true
    progress "buildkitd stopped (pid $BK_PID)"
  fi
  BK_PID=""
  if [[ -n "$BK_RUN" ]]; then rm -rf "$BK_RUN"; fi
  BK_RUN=""
}

# bk_build OUT REF DOCKERFILE_DIR CONTEXT_DIR [buildctl build options...]
# Builds one linux/amd64 image into the OCI archive OUT, named REF (the name ctr import gives it), and
# writes its manifest digest to OUT.digest. The full BuildKit log goes to OUT.log; its tail is shown when
# the build fails.
bk_build() {
  local out=$1 ref=$2 dockerfile_dir=$3 context=$4
  shift 4
  rm -f "$out.partial" "$out.meta"
  if ! "$BK_BIN/buildctl" --addr "$BK_ADDR" build --progress plain \
      --frontend dockerfile.v0 --local "context=$context" --local "dockerfile=$dockerfile_dir" \
      --opt platform=linux/amd64 "$@" \
      --output "type=oci,dest=$out.partial,name=$ref" --metadata-file "$out.meta" >"$out.log" 2>&1; then
    tail -n 40 "$out.log" >&2
    die "building $ref failed; full log: $out.log"
  fi
  # The metadata file is one JSON object; the manifest digest is what a named context must pin.
  sed -n 's/.*"containerimage\.digest": *"\(sha256:[0-9a-f]\{64\}\)".*/\1/p' "$out.meta" > "$out.digest.partial"
  [[ -s "$out.digest.partial" ]] || die "no image digest in $out.meta"
  chmod 0644 "$out.partial"  # buildctl leaves it world-writable
  mv "$out.partial" "$out"
  mv "$out.digest.partial" "$out.digest"
  rm -f "$out.meta"
}
