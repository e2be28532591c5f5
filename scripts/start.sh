#!/usr/bin/env bash
# Sets up and runs OpsHub locally: frontend on :3000, backend on :7007,
# SQLite in memory, guest sign-in, demo catalog entities.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/toolchain.sh
source "$here/lib/toolchain.sh"
opshub_activate
opshub_install
exec yarn start
