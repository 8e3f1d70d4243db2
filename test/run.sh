#!/usr/bin/env bash
# Passes the tests on a fresh machine: sets everything up, checks the protos (buf lint and
# breaking), then runs every test against real servers (nats-server, FerretDB, Jaeger) that the
# tests start themselves on loopback.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash deploy/local/bootstrap.sh
echo "node -v: $(pnpm exec node -v) (system node $(node -v))"
echo "test: buf lint and breaking"
pnpm run --silent proto:check
echo "test: eslint (type-checked rules)"
pnpm run --silent lint

mkdir -p .data
status=0
pnpm exec jest --ci --json --outputFile=.data/jest-results.json "$@" || status=$?
# A closing line any CI reader understands.
pnpm exec node -e '
  const r = require("./.data/jest-results.json");
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
' || status=1
exit "$status"
