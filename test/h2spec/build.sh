#!/usr/bin/env bash
# Builds h2spec (the HTTP/2 conformance suite, github.com/summerwind/h2spec) from Go modules into
# a cache directory outside the repo. A second run finds it there and does nothing.
#
#   test/h2spec/build.sh [--check]   (--check: exit 0 if cached, 1 if not; build nothing)
#
#   WEFT_H2SPEC_VERSION  (default v2.2.1: the module has no go.mod, so Go names it +incompatible)
#   WEFT_H2SPEC_CACHE    (default ~/.cache/weft/h2spec) — the binary lands in $WEFT_H2SPEC_CACHE/<version>/bin
#
# Cold: ~2 min on 2 cores (module download and build), any Go >= 1.21.
set -euo pipefail

version=${WEFT_H2SPEC_VERSION:-v2.2.1}
cache=${WEFT_H2SPEC_CACHE:-$HOME/.cache/weft/h2spec}
bin="$cache/$version/bin"

# shellcheck source=../go-fixture.sh
. "$(dirname "$0")/../go-fixture.sh"
go_fixture_cached h2spec "$version" "$bin/h2spec" "${1:-}"

mkdir -p "$bin"
start=$(date +%s)
# Keep the build independent of the caller's Go settings; build in an empty directory so no
# enclosing go.mod is picked up.
export GOFLAGS=-modcacherw GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && go install "github.com/summerwind/h2spec/cmd/h2spec@$version+incompatible")
echo "h2spec: built $version in $(( $(date +%s) - start )) s"
