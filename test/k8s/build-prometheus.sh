#!/usr/bin/env bash
# Builds Prometheus with its Kubernetes service discovery from Go modules into a cache directory
# outside the repo, for the tests of `weft viz install` (test/integration/k8s-viz.test.ts): Debian's
# prometheus is built without kubernetes_sd_configs (its packaging dropped client-go), and the
# manifest's scrape config is exactly that. A second run finds the binary and does nothing.
#
#   test/k8s/build-prometheus.sh [--check]   (--check: exit 0 if cached, 1 if not; build nothing)
#
#   WEFT_PROMETHEUS_VERSION (default v0.316.0: the Go module version of Prometheus 3.16.0, the
#                            release `weft viz install`'s default image prom/prometheus:v3.16.0 is)
#   WEFT_PROMETHEUS_CACHE   (default ~/.cache/weft/prometheus) — the binary lands in
#                            $WEFT_PROMETHEUS_CACHE/<version>/bin/prometheus
#
# Only the Kubernetes discovery is compiled in (Prometheus' own build tags remove_all_sd +
# enable_kubernetes_sd), leaving out the cloud SDKs of the other discoveries (the TSDB, PromQL and
# remote-write still make ~1,300 packages). Cold: 24 min measured on 2 cores shared with a load
# average of ~20 (niced); cached: nothing. A 76 MB static binary (CGO off).
set -euo pipefail

version=${WEFT_PROMETHEUS_VERSION:-v0.316.0}
cache=${WEFT_PROMETHEUS_CACHE:-$HOME/.cache/weft/prometheus}
bin="$cache/$version/bin"
# shellcheck source=../go-fixture.sh
. "$(dirname "$0")/../go-fixture.sh"
go_fixture_cached prometheus "$version" "$bin/prometheus" "${1:-}"
export GOFLAGS=-modcacherw GOTOOLCHAIN=local CGO_ENABLED=0
mkdir -p "$bin"
start=$(date +%s)
tmpbin=$(mktemp -d)
# Prometheus' go.mod has no replace directives, so `go install pkg@version` builds it as released.
GOBIN="$tmpbin" go install -trimpath -tags remove_all_sd,enable_kubernetes_sd -ldflags "-s -w" \
  "github.com/prometheus/prometheus/cmd/prometheus@$version"
mv "$tmpbin/prometheus" "$bin/prometheus" && rmdir "$tmpbin"
echo "prometheus: built in $(( $(date +%s) - start )) s → $bin/prometheus"
