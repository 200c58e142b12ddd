#!/usr/bin/env bash
# Builds the Kubernetes binaries the k8s tests run (kube-apiserver, kubectl,
# kube-controller-manager; kube-scheduler, kube-proxy, kubelet and CoreDNS for the one-node
# cluster of test/helpers/k8s-node.ts) from Go modules into a cache directory outside the repo.
# A second run finds them there and does nothing. etcd comes from Debian (etcd-server).
#
#   test/k8s/build.sh [--check]   (--check: exit 0 if the binaries are cached, 1 if not; build nothing)
#
#   WEFT_K8S_VERSION   (default v1.37.2)
#   WEFT_K8S_CACHE     (default ~/.cache/weft/k8s) — binaries land in $WEFT_K8S_CACHE/<version>/bin
#
# Why a wrapper module: k8s.io/kubernetes is not meant to be required, its go.mod replaces each
# staging module by ./staging/src/…; a module that requires it must replace each of those by the
# published v0.<minor>.<patch> of the same path. The list is read from kubernetes' own go.mod, so
# it follows the version.
set -euo pipefail

version=${WEFT_K8S_VERSION:-v1.37.2}
cache=${WEFT_K8S_CACHE:-$HOME/.cache/weft/k8s}
dir="$cache/$version"
bin="$dir/bin"
components=(kube-apiserver kubectl kube-controller-manager kube-scheduler kube-proxy kubelet)
# CoreDNS (the node's cluster DNS) is its own module: github.com/coredns/coredns at this version.
coredns_version=${WEFT_COREDNS_VERSION:-v1.15.0}

missing=()
for c in "${components[@]}"; do [ -x "$bin/$c" ] || missing+=("$c"); done
all_missing=("${missing[@]}")
[ -x "$bin/coredns" ] || all_missing+=(coredns)
if [ ${#all_missing[@]} -eq 0 ]; then
  echo "k8s: $version binaries cached in $bin"
  exit 0
fi
if [ "${1:-}" = --check ]; then
  echo "k8s: not cached: ${all_missing[*]}"
  exit 1
fi

command -v go >/dev/null || { echo "k8s: Go is needed to build ${all_missing[*]} (https://go.dev/dl)" >&2; exit 1; }

staging_version="v0.${version#v1.}"
mod="$dir/module"
mkdir -p "$mod" "$bin"
start=$(date +%s)

# Go reads GOFLAGS=-mod=… etc. from the environment; keep the build independent of the caller's.
export GOFLAGS=-modcacherw GOTOOLCHAIN=local CGO_ENABLED=0

if [ ! -x "$bin/coredns" ]; then
  t=$(date +%s)
  echo "k8s: building coredns $coredns_version (cold, measured on 2 loaded cores: ~3.5 min fetching ~230 MB of modules, ~11.5 min compiling)"
  tmpbin=$(mktemp -d)
  GOBIN="$tmpbin" go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$coredns_version"
  mv "$tmpbin/coredns" "$bin/coredns" && rmdir "$tmpbin"
  echo "k8s: coredns built in $(( $(date +%s) - t )) s"
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "k8s: done in $(( $(date +%s) - start )) s → $bin"
  exit 0
fi

kgomod=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')
[ -f "$kgomod" ] || { echo "k8s: could not download k8s.io/kubernetes@$version" >&2; exit 1; }

{
  echo "module weft.local/k8s-fixture"
  echo
  echo "go $(go env GOVERSION | sed 's/^go//; s/\.[0-9]*$//')"
  echo
  echo "require k8s.io/kubernetes $version"
  echo
  # "	k8s.io/api => ./staging/src/k8s.io/api" → "replace k8s.io/api => k8s.io/api v0.37.2"
  sed -n 's#^\s*\([^ ]*\) => ./staging/src/\([^ ]*\)\s*$#replace \1 => \2 '"$staging_version"'#p' "$kgomod"
} >"$mod/go.mod"
# Keep the imports alive for go mod tidy.
cat >"$mod/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
echo "k8s: $(grep -c '^replace' "$mod/go.mod") staging modules replaced by $staging_version"

cd "$mod"
echo "k8s: resolving modules (cold: ~3 min)"
go mod tidy >/dev/null

ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$(echo "$version" | cut -d. -f1 | tr -d v)"
  ldflags+=" -X $pkg.gitMinor=$(echo "$version" | cut -d. -f2) -X $pkg.gitTreeState=clean"
done
ldflags="-s -w$ldflags"

for c in "${missing[@]}"; do
  t=$(date +%s)
  echo "k8s: building $c (cold: apiserver ~5 min, kubelet ~6 min, controller-manager ~2 min, scheduler and kube-proxy ~1.5 min each, kubectl ~30 s on 2 cores)"
  go build -trimpath -ldflags "$ldflags" -o "$bin/$c.tmp" "k8s.io/kubernetes/cmd/$c"
  mv "$bin/$c.tmp" "$bin/$c"
  echo "k8s: $c built in $(( $(date +%s) - t )) s"
done
echo "k8s: done in $(( $(date +%s) - start )) s → $bin"
