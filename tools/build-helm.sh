#!/usr/bin/env bash
# Builds the Helm CLI from its Go module, once, and prints the folder holding it as helm-<version>
# (HELM_VERSION in tools/versions.env). No release binary can be downloaded here and Helm is no Debian
# package, so it is compiled like the test servers of tools/build-kube.sh, from the wrapper module
# tools/testservers/helm. Progress goes to stderr.
#
# A script of its own rather than a fourth module of build-kube.sh: the sandbox does not need Helm, so
# starting it never waits for a Helm build, and editing this script does not relink the cluster servers
# (build-kube.sh's cache key includes build-kube.sh itself).
#
# Cached in .cache/kube/modules/helm-<version>-<source hash>, built in a temporary folder and renamed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
module="$root/tools/testservers/helm"
# shellcheck source=versions.env
source "$root/tools/versions.env"

fail() { echo "build-helm: $*" >&2; exit 1; }

# tools/versions.env is the one home of the version; the wrapper's go.mod must agree with it.
grep -Eq "^\s*(require\s+)?helm\.sh/helm/v4 v$HELM_VERSION\$" "$module/go.mod" ||
  fail "tools/versions.env says helm.sh/helm/v4 v$HELM_VERSION but $module/go.mod requires another version"

# The key changes with the version and with any edit to the wrapper module or this script.
hash=$(cd "$root" && find tools/testservers/helm tools/build-helm.sh -type f | LC_ALL=C sort | xargs sha256sum |
  sha256sum | cut -c1-12)
dir="$root/.cache/kube/modules/helm-$HELM_VERSION-$hash"
if [[ ! -d "$dir" ]]; then
  command -v go >/dev/null || fail "Go is required to build Helm; none on PATH"
  echo "build-helm: building tools/testservers/helm (Helm $HELM_VERSION; a cold build takes minutes)..." >&2
  start=$SECONDS
  tmp="$dir.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  # Stamped like a release build, so `helm version` says v<version> instead of the bare "v4.3".
  ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=v$HELM_VERSION"
  ldflags+=" -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
  (cd "$module" && go build -trimpath -ldflags="$ldflags" -o "$tmp/helm-$HELM_VERSION" ./cmd/helm)
  # Another run may have finished the same build meanwhile; its folder is as good as ours.
  mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
  echo "build-helm: built tools/testservers/helm in $((SECONDS - start)) s" >&2
fi
echo "$dir"
