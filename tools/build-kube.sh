#!/usr/bin/env bash
# Builds kube-apiserver and etcd from their Go modules (tools/testservers) into
# .cache/kube/<versions>-<source hash>/bin, once. Release binaries cannot be downloaded here, so we
# compile them the way envtest would ship them. Prints the bin folder on stdout; progress goes to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/tools/testservers"
# shellcheck source=versions.env
source "$root/tools/versions.env"

grep -q "k8s.io/kubernetes v$KUBE_VERSION\$" "$src/go.mod" ||
  { echo "build-kube: tools/versions.env says Kubernetes $KUBE_VERSION but $src/go.mod requires another" >&2; exit 1; }
grep -q "go.etcd.io/etcd/server/v3 v$ETCD_VERSION\$" "$src/go.mod" ||
  { echo "build-kube: tools/versions.env says etcd $ETCD_VERSION but $src/go.mod requires another" >&2; exit 1; }

# The key changes with the versions and with any change to the wrapper sources or this script, so an
# edit never runs against a stale cached binary.
hash=$(cd "$root" && find tools/testservers tools/build-kube.sh -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)
bin="$root/.cache/kube/k8s-$KUBE_VERSION-etcd-$ETCD_VERSION-$hash/bin"

if [[ -x "$bin/kube-apiserver" && -x "$bin/etcd" ]]; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "build-kube: Go is required to build the test servers; none on PATH" >&2; exit 1; }

echo "build-kube: building etcd $ETCD_VERSION and kube-apiserver $KUBE_VERSION (a cold build takes several minutes)..." >&2
start=$SECONDS
# Stamp the version the way release builds do, so /version and discovery report v$KUBE_VERSION rather
# than v0.0.0-master.
v=k8s.io/component-base/version
minor=$(cut -d. -f2 <<<"$KUBE_VERSION")
ldflags="-s -w -X $v.gitVersion=v$KUBE_VERSION -X $v.gitMajor=${KUBE_VERSION%%.*} -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
# Build into a temporary folder and rename it, so an interrupted build never leaves half-written binaries
# that a later run would take for cached ones.
tmp="$bin.tmp.$$"
rm -rf "$tmp" && mkdir -p "$tmp"
(cd "$src" && go build -trimpath -ldflags="$ldflags" -o "$tmp/" ./cmd/etcd ./cmd/kube-apiserver)
rm -rf "$bin" && mv "$tmp" "$bin"
echo "build-kube: built in $((SECONDS - start)) s" >&2
echo "$bin"
