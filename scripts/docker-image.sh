#!/usr/bin/env bash
# Builds an image of this repository WITHOUT any registry, since none can be reached from these machines:
#   1. a base rootfs, imported with `docker import`:
#      - `host` (default): this machine's node binary and the shared libraries it and the native
#        add-ons (onnxruntime, better-sqlite3) load, found with ldd, in an otherwise empty tree.
#        Offline and a few seconds.
#      - `debootstrap`: a Debian bookworm minbase (a shell and coreutils to debug with; needs the
#        Debian mirror and ~2 min), with this machine's node copied in (Debian's own nodejs is 18).
#   2. `docker build` on top, with what scripts/stage-image.mjs stages:
#      - default: `morphling-server:local`, the bundled model server (entrypoint) and the kubernetes
#        runner's in-cluster load client, as the docker and kubernetes runners start them (~190 MB);
#      - `--controller`: `morphling:local`, the whole CLI (`morphling serve`, `morphling worker`, ...)
#        for deploy/ (~560 MB).
# Usage: scripts/docker-image.sh [--controller] [IMAGE]   (env: MORPHLING_IMAGE_BASE=host|debootstrap)
# Needs `npm run build` first and a running dockerd.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=server
if [ "${1:-}" = "--controller" ]; then
  mode=controller
  shift
fi
default_image="morphling-server:local"
[ "$mode" = controller ] && default_image="morphling:local"
image="${1:-$default_image}"
base_kind="${MORPHLING_IMAGE_BASE:-host}"
base_image="morphling-base:${base_kind}"
docker="${DOCKER:-docker}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

node_bin="$(readlink -f "$(command -v node)")"
ort_dir="node_modules/onnxruntime-node/bin/napi-v6/linux/x64"

# Copies a file with its absolute path (symlinks resolved) under the rootfs.
put() {
  local target="$2${1}"
  mkdir -p "$(dirname "$target")"
  cp -L "$1" "$target"
}

# Every shared library (and the dynamic loader) the given binaries load, as absolute paths.
libraries() {
  ldd "$@" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\/[^ ]+ \(0x/{print $1}' | sort -u
}

rootfs="$work/rootfs"
mkdir -p "$rootfs"
case "$base_kind" in
  host)
    native=("$ort_dir"/libonnxruntime.so.1 "$ort_dir"/onnxruntime_binding.node)
    [ "$mode" = controller ] && native+=(node_modules/better-sqlite3/build/Release/better_sqlite3.node)
    for lib in $(libraries "$node_bin" "${native[@]}"); do
      case "$lib" in
        "$PWD"/*) ;; # onnxruntime's own library travels with node_modules
        *) put "$lib" "$rootfs" ;;
      esac
    done
    mkdir -p "$rootfs/tmp" "$rootfs/etc"
    chmod 1777 "$rootfs/tmp"
    echo 'root:x:0:0:root:/root:/sbin/nologin' >"$rootfs/etc/passwd"
    echo 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' >>"$rootfs/etc/passwd"
    ;;
  debootstrap)
    debootstrap --variant=minbase bookworm "$rootfs" >"$work/debootstrap.log" 2>&1 ||
      { tail -20 "$work/debootstrap.log"; exit 1; }
    ;;
  *)
    echo "MORPHLING_IMAGE_BASE must be host or debootstrap, not $base_kind" >&2
    exit 2
    ;;
esac
mkdir -p "$rootfs/usr/local/bin"
cp "$node_bin" "$rootfs/usr/local/bin/node"
tar -C "$rootfs" -c . | "$docker" import - "$base_image" >/dev/null
echo "imported $base_image ($(du -sh "$rootfs" | cut -f1))"

context="$work/context"
node scripts/stage-image.mjs "$context" "$mode"
if [ "$mode" = server ]; then
  # Listen on every interface of the container, or a published port reaches nothing.
  env_line='ENV HOST=0.0.0.0 PORT=8080 MODEL_CACHE_DIR=/tmp/morphling-zoo NODE_ENV=production'
  entrypoint='["/usr/local/bin/node", "dist/serving/main.js"]'
else
  env_line='ENV HOME=/tmp MODEL_CACHE_DIR=/tmp/morphling-zoo NODE_ENV=production'
  entrypoint='["/usr/local/bin/node", "bin/morphling.js"]'
fi
cat >"$context/Dockerfile" <<EOF
FROM $base_image
COPY app /app
WORKDIR /app
$env_line
EXPOSE 8080
USER nobody
ENTRYPOINT $entrypoint
EOF
# --network host: the build needs no network, and a sandbox without a working bridge can still build.
DOCKER_BUILDKIT=0 "$docker" build --network host -q -t "$image" "$context" >"$work/build.log" 2>&1 ||
  { cat "$work/build.log"; exit 1; }
echo "built $image ($("$docker" image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
