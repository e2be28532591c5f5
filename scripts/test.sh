#!/usr/bin/env bash
# Sets up and runs every OpsHub test: installs (Node 22, yarn, dependencies,
# Debian's chromium), then tsc, lint, prettier, all jest tests on SQLite and
# PostgreSQL, the reliability rows that fit in two minutes (the bench's R1
# bounded, R5, R6, R7, R9) and the browser end-to-end test. Prints the jest
# counts per database and, last, `N passed, N failed, N skipped`. Exits non-zero on any
# failure, and when no PostgreSQL test ran.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/toolchain.sh
source "$here/lib/toolchain.sh"
# shellcheck source=lib/postgres.sh
source "$here/lib/postgres.sh"

opshub_activate || exit 1
opshub_install || exit 1

if [ ! -x /usr/bin/chromium ]; then
  opshub_log "installing Debian's chromium for the end-to-end test"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null || exit 1
fi

trap opshub_postgres_stop EXIT
opshub_postgres_start || exit 1

export CI=true BACKSTAGE_TEST_DISABLE_DOCKER=1
out="$OPSHUB_ROOT/.ci-out"
rm -rf "$out" && mkdir -p "$out"
failed_steps=()
step() {
  local name="$1"
  shift
  opshub_log "$name"
  "$@" || failed_steps+=("$name")
}

step "tsc" yarn tsc:full
step "lint" yarn lint:all
step "prettier" yarn prettier:check
step "jest" yarn backstage-cli repo test --json "--outputFile=$out/jest.json"
step "reliability" yarn workspace @internal/opshub-bench reliability --quick --rows R1,R5,R6,R7,R9 --json "$out/reliability.json"
step "end-to-end" env PLAYWRIGHT_JSON_OUTPUT_NAME="$out/playwright.json" yarn playwright test

echo
for name in "${failed_steps[@]}"; do echo "FAILED: $name"; done
node "$here/lib/summarize-tests.mjs" "$out/jest.json" "$out/reliability.json" "$out/playwright.json"
summary=$?
[ "$summary" = 0 ] && [ "${#failed_steps[@]}" = 0 ]
