#!/usr/bin/env bash
# Start a local Docker engine (dockerd) in the background, unless one already answers.
#
# Meant for CI and dev machines without systemd, where Debian's docker.io package is
# installed but nothing starts the daemon. Idempotent: exits 0 at once when
# `docker info` already works.
#
# Environment overrides:
#   DOCKERD_LOG             log file            (default /var/log/dockerd.log)
#   DOCKERD_WAIT            seconds to wait     (default 60)
#   DOCKERD_STORAGE_DRIVER  force a storage driver (default: overlay2 if it works, else vfs)
#   DOCKERD_EXTRA_ARGS      extra dockerd flags, split on spaces
set -euo pipefail

log() { echo "start-engine: $*"; }
die() { echo "start-engine: ERROR: $*" >&2; exit 1; }

LOG_FILE=${DOCKERD_LOG:-/var/log/dockerd.log}
WAIT_SECONDS=${DOCKERD_WAIT:-60}
DAEMON_JSON=/etc/docker/daemon.json
DATA_ROOT=/var/lib/docker
PID_FILE=/var/run/docker.pid

command -v docker >/dev/null 2>&1 || die "docker CLI not found (apt-get install -y docker.io)"

if docker info >/dev/null 2>&1; then
  log "docker engine already running"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "dockerd must be started as root (docker info does not answer yet)"
command -v dockerd >/dev/null 2>&1 || die "dockerd not found (apt-get install -y docker.io)"

# A flag that is also set in daemon.json makes dockerd refuse to start, so only add
# flags for settings the config file does not mention.
in_daemon_json() { [ -f "$DAEMON_JSON" ] && grep -q "\"$1\"" "$DAEMON_JSON"; }

# $pid is the process we started; the pid file covers a forking setsid.
dockerd_alive() {
  kill -0 "$1" 2>/dev/null && return 0
  [ -s "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

wait_for_engine() {
  local pid=$1 i
  for ((i = 1; i <= WAIT_SECONDS; i++)); do
    if docker info >/dev/null 2>&1; then
      log "docker engine ready after ${i}s ($(docker info --format 'server {{.ServerVersion}}, storage {{.Driver}}, cgroup v{{.CgroupVersion}}' 2>/dev/null))"
      return 0
    fi
    if ! dockerd_alive "$pid"; then
      echo "start-engine: dockerd exited; last lines of $LOG_FILE:" >&2
      tail -n 25 "$LOG_FILE" >&2 || true
      die "dockerd failed to start"
    fi
    sleep 1
  done
  echo "start-engine: last lines of $LOG_FILE:" >&2
  tail -n 25 "$LOG_FILE" >&2 || true
  die "docker info still fails after ${WAIT_SECONDS}s"
}

# A dockerd that is still starting (e.g. a second call right after the first) is
# waited for instead of racing it with a second daemon.
if [ -s "$PID_FILE" ]; then
  old_pid=$(cat "$PID_FILE")
  if kill -0 "$old_pid" 2>/dev/null && grep -qa dockerd "/proc/$old_pid/cmdline" 2>/dev/null; then
    log "dockerd (pid $old_pid) already running but not answering yet; waiting up to ${WAIT_SECONDS}s"
    wait_for_engine "$old_pid"
    exit 0
  fi
fi

args=()
notes=()

# --- cgroups -----------------------------------------------------------------
# runc needs a cgroup hierarchy. Plain VMs have one (this may be v1, v2 or hybrid);
# a bare container used as CI runner may have none mounted: mount cgroup v2 then.
if ! grep -qE '^[^ ]+ /sys/fs/cgroup[ /]' /proc/mounts; then
  mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup 2>/dev/null \
    || mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null \
    || log "warning: no cgroup filesystem mounted and mounting cgroup2 failed; dockerd may fail"
fi
# cgroup v2 inside a container, where we sit in the root of our cgroup namespace:
# the "no internal processes" rule forbids enabling controllers for child cgroups
# while processes live in the root, so move them into a leaf first (same as the
# upstream moby dind script). Not done on hosts where we run in a sub-cgroup.
if [ -f /sys/fs/cgroup/cgroup.controllers ] && [ "$(cat /proc/self/cgroup)" = "0::/" ] \
   && [ -z "$(cat /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null)" ]; then
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
  sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers \
    >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
  notes+=("cgroup v2 nesting prepared")
fi

# --- storage driver ------------------------------------------------------------
# overlay2 is fast but needs an overlay mount on the filesystem holding the data
# root; it fails e.g. when that filesystem is itself overlayfs (container runners).
# Probe it, and fall back to vfs (slow, full copies, but works everywhere).
overlay_works() {
  local d
  mkdir -p "$DATA_ROOT"
  d=$(mktemp -d "$DATA_ROOT/.overlay-probe.XXXXXX") || return 1
  mkdir -p "$d/lower" "$d/upper" "$d/work" "$d/merged"
  if mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" "$d/merged" 2>/dev/null; then
    umount "$d/merged"
    rm -rf "$d"
    return 0
  fi
  rm -rf "$d"
  return 1
}
if ! in_daemon_json storage-driver; then
  if [ -n "${DOCKERD_STORAGE_DRIVER:-}" ]; then
    args+=(--storage-driver="$DOCKERD_STORAGE_DRIVER")
  elif [ -d "$DATA_ROOT/vfs" ] && [ ! -d "$DATA_ROOT/overlay2" ]; then
    args+=(--storage-driver=vfs) # keep the driver an earlier run chose (its images live there)
  elif overlay_works; then
    args+=(--storage-driver=overlay2)
  else
    args+=(--storage-driver=vfs)
    notes+=("overlay mount not possible here, using vfs")
  fi
fi

# --- networking ------------------------------------------------------------------
# dockerd calls `iptables` from PATH to set up NAT for the default bridge (without it,
# containers and `docker build` steps cannot reach the network). Debian's default
# iptables is the nf_tables variant; where the kernel lacks nf_tables, the legacy
# variant may still work, so put it first on dockerd's PATH through a shim dir.
dockerd_path=$PATH
if ! iptables -t nat -nL >/dev/null 2>&1; then
  if command -v iptables-legacy >/dev/null 2>&1 && iptables-legacy -t nat -nL >/dev/null 2>&1; then
    shim=/run/dockerd-iptables-legacy
    mkdir -p "$shim"
    ln -sfn "$(command -v iptables-legacy)" "$shim/iptables"
    if command -v ip6tables-legacy >/dev/null 2>&1; then
      ln -sfn "$(command -v ip6tables-legacy)" "$shim/ip6tables"
    fi
    dockerd_path="$shim:$PATH"
    notes+=("iptables-nft unusable, using iptables-legacy")
  elif ! in_daemon_json iptables; then
    # No working iptables at all: dockerd would abort. Start without NAT; containers on
    # the bridge then have no outbound network (use --network host for builds).
    args+=(--iptables=false --ip-masq=false)
    notes+=("no working iptables: bridge has NO outbound network, use --network host")
  fi
fi
# The default bridge needs the kernel's bridge driver; without it dockerd aborts
# unless told not to create docker0 (only host/none networking then).
if ! in_daemon_json bridge && [ ! -d /sys/class/net/docker0 ] && command -v ip >/dev/null 2>&1; then
  if ip link add name dockerprobe0 type bridge 2>/dev/null; then
    ip link del dockerprobe0 2>/dev/null || true
  else
    args+=(--bridge=none)
    notes+=("no bridge support: only --network host/none will work")
  fi
fi

if [ -n "${DOCKERD_EXTRA_ARGS:-}" ]; then
  read -r -a extra <<<"$DOCKERD_EXTRA_ARGS"
  args+=("${extra[@]}")
fi

mkdir -p "$(dirname "$LOG_FILE")"
note_text=""
if [ "${#notes[@]}" -gt 0 ]; then note_text="; $(IFS=';'; echo "${notes[*]}")"; fi
log "starting dockerd ${args[*]} (log: $LOG_FILE)$note_text"
# setsid + nohup: the daemon must outlive the shell (CI step) that started it.
PATH=$dockerd_path setsid nohup dockerd "${args[@]}" >>"$LOG_FILE" 2>&1 </dev/null &
wait_for_engine "$!"
