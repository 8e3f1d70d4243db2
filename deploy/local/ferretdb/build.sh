#!/usr/bin/env bash
# Builds FerretDB v1 from main.go with one change to its SQLite backend: queries by `_id` name the
# column as `_ferretdb_sjson->'_id'`, which SQLite parses to the same expression as the one
# FerretDB's own `_id` index is built on (`->"_id"`, a double-quoted string), instead of
# `->'$._id'`, the same JSON path spelled differently. SQLite uses an expression index only for an
# identical expression, so as published no query uses that index and every `_id` read or update
# scans its table (docs/engine-costs.md; `EXPLAIN QUERY PLAN` shows SEARCH ... USING INDEX after). The change is made
# to a vendored copy in a temporary directory at build time; nothing of FerretDB is kept in this repo.
# Usage: build.sh <output binary>
set -euo pipefail
out="$(realpath -m "$1")"
cd "$(dirname "${BASH_SOURCE[0]}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp main.go go.mod go.sum "$work/"
cd "$work"
go mod vendor
file=vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata/metadata.go
sed -i "s|IDColumn = DefaultColumn + \"->'\$._id'\"|IDColumn = DefaultColumn + \"->'_id'\"|" "$file"
grep -q "IDColumn = DefaultColumn + \"->'_id'\"" "$file" || {
  echo "ferretdb/build.sh: $file no longer has the expected IDColumn line; review the change" >&2; exit 1; }
go build -mod=vendor -trimpath -o "$out" .
