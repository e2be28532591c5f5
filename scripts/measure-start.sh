#!/usr/bin/env bash
# Measures the README's run command from a fresh clone of this repository:
# seconds until the frontend (:3000) and the backend's readiness answer 200,
# for a first start (install included) and a second one. Stops what it
# starts and removes the clone. Ports 3000 and 7007 must be free.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/opshub-start.XXXXXX)"
git clone -q "$repo" "$work/opshub"
pid=""
cleanup() {
  [ -n "$pid" ] && kill -- "-$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

up() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' http://localhost:3000)" = 200 ] &&
    [ "$(curl -s -o /dev/null -w '%{http_code}' http://localhost:7007/.backstage/health/v1/readiness)" = 200 ]
}

measure() {
  local started now
  started=$(date +%s)
  setsid "$work/opshub/scripts/start.sh" >"$work/$1.log" 2>&1 &
  pid=$!
  until up; do
    sleep 1
    now=$(date +%s)
    if [ $((now - started)) -gt 900 ]; then
      echo "$1 start: no answer after 900 s (log: $work/$1.log)" >&2
      exit 1
    fi
  done
  echo "$1 start: $(($(date +%s) - started)) s"
  kill -- "-$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  sleep 2
}

measure first
measure second
