#!/usr/bin/env bash
# Builds the real servers Rampart runs locally and in CI (nats-server, FerretDB, Jaeger v2) and the
# grpcurl client from the Go module proxy, at the versions pinned in versions.env. Binaries are cached
# by version outside the clone (RAMPART_CACHE, default ~/.cache/rampart), so CI on a fresh clone does
# not rebuild them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${RAMPART_CACHE:-$HOME/.cache/rampart}"
bin="$cache/bin"
mkdir -p "$bin"

command -v go >/dev/null || { echo "install-servers: Go is required (go.dev/dl); none on PATH" >&2; exit 1; }

build() { # name target-binary command...
  local name="$1" out="$2"; shift 2
  if [ -x "$out" ]; then echo "install-servers: $name cached at $out"; return; fi
  echo "install-servers: building $name (first run only; a few minutes)"
  local tmp; tmp="$(mktemp -d)"
  ( "$@" ) >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; echo "install-servers: $name failed to build" >&2; exit 1; }
  rm -rf "$tmp"
}

nats_out="$bin/nats-server-$NATS_SERVER_VERSION"
build nats-server "$nats_out" bash -c "
  d=\$(mktemp -d) && GOBIN=\$d go install '$NATS_SERVER_MODULE@$NATS_SERVER_VERSION' && mv \$d/nats-server '$nats_out'"

# The build patches how FerretDB's SQLite backend names `_id` in queries (ferretdb/build.sh says why),
# so the cached binary is keyed by the build's own files as well as the version.
ferret_key="$(cat "$here/ferretdb/build.sh" "$here/ferretdb/main.go" "$here/ferretdb/go.mod" "$here/ferretdb/go.sum" | sha256sum | cut -c1-12)"
ferret_out="$bin/ferretdb-$FERRETDB_VERSION-$ferret_key"
build ferretdb "$ferret_out" "$here/ferretdb/build.sh" "$ferret_out"

# go install refuses a module with replace directives (Jaeger has one), so build from a copy of the
# downloaded module as the main module, where its replace directive applies.
build_jaeger() {
  local version="$1" out="$2" dir src
  dir="$(go mod download -json "$JAEGER_MODULE@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] || return 1
  src="$(mktemp -d)"
  cp -r "$dir/." "$src" && chmod -R u+w "$src"
  (cd "$src" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go build -trimpath -o "$out" ./cmd/jaeger)
  local rc=$?
  rm -rf "$src"
  return $rc
}
jaeger_out="$bin/jaeger-$JAEGER_MODULE_VERSION"
export -f build_jaeger
export JAEGER_MODULE
build jaeger "$jaeger_out" bash -c "
  build_jaeger '$JAEGER_COMMIT' '$jaeger_out' || {
    echo 'jaeger: the proxy does not serve commit $JAEGER_COMMIT (v2.20.0); building $JAEGER_MODULE_VERSION' >&2
    build_jaeger '$JAEGER_MODULE_VERSION' '$jaeger_out'; }"

grpcurl_out="$bin/grpcurl-$GRPCURL_VERSION"
build grpcurl "$grpcurl_out" bash -c "
  d=\$(mktemp -d) && GOBIN=\$d go install -ldflags '-X main.version=$GRPCURL_VERSION' '$GRPCURL_MODULE/cmd/grpcurl@$GRPCURL_VERSION' && mv \$d/grpcurl '$grpcurl_out'"

# Stable names for scripts and tests.
ln -sf "$nats_out" "$bin/nats-server"
ln -sf "$ferret_out" "$bin/ferretdb"
ln -sf "$jaeger_out" "$bin/jaeger"
ln -sf "$grpcurl_out" "$bin/grpcurl"
echo "install-servers: ready in $bin"
