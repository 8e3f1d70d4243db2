#!/usr/bin/env bash
# Everything a fresh machine needs before Rampart runs or tests: pnpm, the workspace's packages
# (Node 24 comes with them, as the `node` devDependency), the real servers, and the build.
# Needs only Node (any version with npm) and Go on PATH. Safe to run again.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

pnpm_version="$(sed -n 's/.*"packageManager": "pnpm@\([^"]*\)".*/\1/p' package.json)"
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  echo "bootstrap: installing pnpm $pnpm_version"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

echo "bootstrap: installing packages"
pnpm install --frozen-lockfile --reporter=silent

bash deploy/local/install-servers.sh

echo "bootstrap: building (buf generate, tsc -b) on node $(pnpm exec node -v)"
pnpm run --silent build
