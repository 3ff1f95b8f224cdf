#!/usr/bin/env bash
# Build the local base image jwt-blast-radius/node-runtime:20 from this machine's own
# Node.js runtime, for environments where no container registry can be reached (so
# `FROM node:20` cannot be pulled).
#
# The image is a minimal root filesystem fed to `docker import`:
#   node (+ the shared libraries ldd lists and the dynamic loader), npm with `npm`/`npx`
#   launchers, /bin/sh, /usr/bin/env, the CA bundle, /etc/passwd and /etc/group with
#   root and `node` (1000:1000, home /home/node), and a world-writable /tmp.
# There is no shell tooling beyond sh (no curl, wget, ls): use node for health checks.
#
# Usage: docker/make-base-image.sh [--force]
#   Skips the build when the image already exists, unless --force is given.
set -euo pipefail
umask 022

IMAGE=jwt-blast-radius/node-runtime:20
NODE_MAJOR=20
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

log() { echo "make-base-image: $*"; }
die() { echo "make-base-image: ERROR: $*" >&2; exit 1; }

force=0
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg (usage: $0 [--force])" ;;
  esac
done

command -v docker >/dev/null 2>&1 || die "docker CLI not found"
docker info >/dev/null 2>&1 || die "docker engine not reachable; run docker/start-engine.sh first"

if [ "$force" -eq 0 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE already exists ($(docker image inspect --format '{{index .Config.Labels "org.nodejs.version"}}' "$IMAGE")); use --force to rebuild"
  exit 0
fi

start=$SECONDS
old_id=$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)

# --- locate the host runtime ------------------------------------------------------
node_cmd=$(command -v node) || die "node not found on PATH"
node_bin=$(readlink -f "$node_cmd")
node_version=$("$node_bin" -p 'process.versions.node')
[ "${node_version%%.*}" = "$NODE_MAJOR" ] \
  || die "host node is v$node_version but the image tag promises Node $NODE_MAJOR"
npm_cmd=$(command -v npm) || die "npm not found on PATH"
npm_dir="$(npm root -g)/npm"
if [ ! -f "$npm_dir/bin/npm-cli.js" ]; then
  # npm not under the global root: derive the package dir from the launcher.
  npm_dir=$(dirname "$(dirname "$(readlink -f "$npm_cmd")")")
fi
[ -f "$npm_dir/bin/npm-cli.js" ] || die "cannot locate the npm package (tried $npm_dir)"
npx_cmd=$(command -v npx || true)
sh_bin=/bin/sh
env_bin=/usr/bin/env
[ -x "$env_bin" ] || env_bin=$(command -v env)
[ -f "$CA_BUNDLE" ] || die "CA bundle $CA_BUNDLE not found (apt-get install -y ca-certificates)"
log "host runtime: node v$node_version ($node_bin), npm $(npm --version) ($npm_dir)"

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

# add_binary PATH: the file plus every shared library and the loader ldd reports.
add_binary() {
  local bin=$1 lib
  copy_in "$bin"
  while read -r lib; do
    copy_in "$lib"
  done < <(ldd "$bin" | sed -nE 's#^[^/]*(/[^ ]+) \(0x.*#\1#p')
}

log "collecting files"
add_binary "$node_bin"
[ "$node_cmd" = "$node_bin" ] || copy_in "$node_cmd"
add_binary "$(readlink -f "$sh_bin")"
copy_in "$sh_bin"
add_binary "$(readlink -f "$env_bin")"
copy_in "$env_bin"
copy_in "$npm_dir"
copy_in "$npm_cmd"
[ -z "$npx_cmd" ] || copy_in "$npx_cmd"
copy_in "$CA_BUNDLE"

# Launchers must point at the copied npm package and node; check they resolve.
for f in "$npm_cmd" "$node_cmd"; do
  [ -e "$root$f" ] || [ -e "$root$(readlink -f "$f")" ] || die "launcher $f did not make it into the image"
done

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

# PATH inside the image: the usual directories plus wherever node/npm live on this host.
image_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
for d in "$(dirname "$node_cmd")" "$(dirname "$npm_cmd")"; do
  case ":$image_path:" in *":$d:"*) ;; *) image_path="$d:$image_path" ;; esac
done

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
  -c "LABEL org.opencontainers.image.description=\"Node.js $node_version runtime imported from the build host (no registry)\"" \
  -c 'WORKDIR /' \
  -c 'CMD ["node"]' \
  -m "node v$node_version from the build host" \
  "$work/rootfs.tar" "$IMAGE" >/dev/null

log "smoke test"
docker run --rm --network none "$IMAGE" sh -c 'node -e "process.exit(0)" && env >/dev/null && npm --version >/dev/null' \
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
