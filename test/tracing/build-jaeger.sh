#!/usr/bin/env bash
# Builds Jaeger (all-in-one: OTLP receiver on :4318, query API on :16686) from Go modules into a
# cache directory outside the repo, for the tracing tests. A second run finds it and does nothing.
#
#   test/tracing/build-jaeger.sh [--check]   (--check: exit 0 if cached, 1 if not; build nothing)
#
#   WEFT_JAEGER_VERSION (default v1.75.0: the newest release the module proxy lists as approved)
#   WEFT_JAEGER_CACHE   (default ~/.cache/weft/jaeger) — the binary lands in $WEFT_JAEGER_CACHE/<version>/bin/jaeger
set -euo pipefail

version=${WEFT_JAEGER_VERSION:-v1.75.0}
cache=${WEFT_JAEGER_CACHE:-$HOME/.cache/weft/jaeger}
bin="$cache/$version/bin"
# shellcheck source=../go-fixture.sh
. "$(dirname "$0")/../go-fixture.sh"
go_fixture_cached jaeger "$version" "$bin/jaeger" "${1:-}"
export GOFLAGS=-modcacherw GOTOOLCHAIN=local CGO_ENABLED=0
mkdir -p "$bin"
start=$(date +%s)
# `go install pkg@version` refuses a module whose go.mod has replace directives (Jaeger's has
# one), so: a wrapper module that requires Jaeger and repeats its replaces, read from its go.mod.
mod="$cache/$version/module"
mkdir -p "$mod"
jgomod=$(go mod download -json "github.com/jaegertracing/jaeger@$version" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')
[ -f "$jgomod" ] || { echo "jaeger: could not download github.com/jaegertracing/jaeger@$version" >&2; exit 1; }
{
  echo "module weft.local/jaeger-fixture"
  echo
  echo "go $(go env GOVERSION | sed 's/^go//; s/\.[0-9]*$//')"
  echo
  echo "require github.com/jaegertracing/jaeger $version"
  grep -E '^replace ' "$jgomod" || true
} > "$mod/go.mod"
echo 'package main; import _ "github.com/jaegertracing/jaeger/cmd/jaeger"' > "$mod/tools.go"
(cd "$mod" && go mod tidy >/dev/null 2>&1 || true; cd "$mod" && go get "github.com/jaegertracing/jaeger/cmd/jaeger@$version" && go build -trimpath -o "$bin/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger)
echo "jaeger: built $version in $(( $(date +%s) - start )) s into $bin"
