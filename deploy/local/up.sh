#!/usr/bin/env bash
# Runs the whole system locally on the embedded defaults: sets up a fresh machine, starts
# nats-server, FerretDB and Jaeger, creates a dev signing key, and runs every service in the
# foreground until Ctrl-C, then stops everything cleanly.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

bash deploy/local/bootstrap.sh
bash deploy/local/servers.sh start
pnpm exec node cli/dist/main.js keys init --dir .data/keys
pnpm exec node cli/dist/main.js access init-keys --file .data/keys/credential-keys.json

export NATS_URL=nats://127.0.0.1:4222
export MONGODB_URI=mongodb://127.0.0.1:27017/
export MONGODB_DB=rampart
export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
export AUTH_JWKS_FILE="$root/.data/keys/jwks.json"
export CREDENTIAL_KEYS_FILE="$root/.data/keys/credential-keys.json" # early-access signs credentials with it
# enforcement signs its custody checkpoints with this key (made once, kept with the other keys)
checkpoint_key="$root/.data/keys/custody-checkpoint.key"
[ -s "$checkpoint_key" ] || (umask 077 && mkdir -p "$(dirname "$checkpoint_key")" && head -c 32 /dev/urandom | base64 > "$checkpoint_key")
CUSTODY_CHECKPOINT_KEY="$(cat "$checkpoint_key")"
export CUSTODY_CHECKPOINT_KEY

pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  bash deploy/local/servers.sh stop
}
trap stop_all INT TERM EXIT

# service name and its gRPC port; each later service adds its line here. Each runs as its own
# Node 24 process (not through pnpm, which would not pass on the stop signal).
node="$root/node_modules/node/bin/node" # the binary itself: .bin/node is a wrapper that would not pass signals on
services=("intake 50051" "designation 50052" "early-access 50053" "clearinghouse 50054" "enforcement 50055")
for entry in "${services[@]}"; do
  read -r name port <<<"$entry"
  OTEL_SERVICE_NAME="$name" GRPC_PORT="$port" METRICS_PORT="$((port + 1000))" \
    "$node" --enable-source-maps --require "$root/libs/telemetry/dist/register.js" "$root/services/$name/dist/main.js" &
  pids+=($!)
done

cat <<MSG

Rampart is running. In another terminal:
  export RAMPART_TOKEN=\$(pnpm exec node cli/dist/main.js token --role developer --org acme)
  pnpm exec node cli/dist/main.js intake submit --file deploy/local/examples/model-details.json
  RAMPART_TOKEN=\$(pnpm exec node cli/dist/main.js token --role reporter --org acme) \\
    pnpm exec node cli/dist/main.js clearinghouse report submit --file deploy/local/examples/vulnerability-report.json
  grpcurl -plaintext 127.0.0.1:50051 list
Traces: curl http://127.0.0.1:16686/api/v3/traces/<trace-id> (metrics: http://127.0.0.1:51051/metrics)
Ctrl-C stops everything.
MSG
wait "${pids[@]}"
