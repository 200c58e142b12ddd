# Sourced by the scripts that build test fixtures from Go modules into ~/.cache/weft
# (h2spec, Jaeger, Prometheus): the part they share before building.
#
#   go_fixture_cached NAME VERSION BINARY [--check]
# Exits 0 when BINARY is already built (saying where); with --check exits 1 when it is not;
# otherwise returns, after making sure a Go toolchain is there to build it.
go_fixture_cached() {
  local name=$1 version=$2 binary=$3 arg=${4:-}
  if [ -x "$binary" ]; then
    echo "$name: $version cached in $(dirname "$binary")"
    exit 0
  fi
  if [ "$arg" = --check ]; then
    echo "$name: $version not cached"
    exit 1
  fi
  command -v go >/dev/null || { echo "$name: Go is needed to build it (https://go.dev/dl)" >&2; exit 1; }
}
