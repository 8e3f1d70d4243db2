#!/usr/bin/env bash
# Starts or stops the local servers on loopback, data under .data/local:
#   nats-server (JetStream) :4222, FerretDB :27017, Jaeger v2 (OTLP :4318, query API :16686).
# Usage: servers.sh start | stop | status
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${RAMPART_CACHE:-$HOME/.cache/rampart}/bin"
data="$root/.data/local"
mkdir -p "$data/nats" "$data/ferretdb" "$data/logs" "$data/pids"

wait_for() { # what url-or-port
  local what="$1" check="$2"
  for _ in $(seq 1 150); do
    if eval "$check" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "servers: $what did not become ready; see $data/logs" >&2
  return 1
}

start_one() { # name command...
  local name="$1"; shift
  local pidfile="$data/pids/$name.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "servers: $name already running"; return; fi
  "$@" >"$data/logs/$name.log" 2>&1 &
  echo $! >"$pidfile"
}

case "${1:-}" in
  start)
    start_one nats "$bin/nats-server" -a 127.0.0.1 -p 4222 -m 8222 -js -sd "$data/nats"
    start_one ferretdb "$bin/ferretdb" -listen-addr 127.0.0.1:27017 -sqlite-url "file:$data/ferretdb/"
    start_one jaeger "$bin/jaeger" --config "$root/deploy/local/jaeger.yaml"
    wait_for nats-server "curl -sf 'http://127.0.0.1:8222/healthz?js-enabled-only=true'"
    wait_for ferretdb "bash -c 'exec 3<>/dev/tcp/127.0.0.1/27017'"
    wait_for jaeger "curl -sf http://127.0.0.1:13133/status"
    echo "servers: nats://127.0.0.1:4222  mongodb://127.0.0.1:27017  jaeger http://127.0.0.1:16686 (OTLP http://127.0.0.1:4318)"
    ;;
  stop)
    for name in jaeger ferretdb nats; do
      pidfile="$data/pids/$name.pid"
      [ -f "$pidfile" ] || continue
      pid="$(cat "$pidfile")"
      if kill "$pid" 2>/dev/null; then
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
      fi
      rm -f "$pidfile"
    done
    echo "servers: stopped"
    ;;
  status)
    for name in nats ferretdb jaeger; do
      pidfile="$data/pids/$name.pid"
      if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "$name: running"; else echo "$name: stopped"; fi
    done
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
