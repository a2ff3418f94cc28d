#!/usr/bin/env bash
# Builds the test clusters' servers from their Go modules, once, and prints one folder holding them all,
# named by version: kube-apiserver-<v>, kube-controller-manager-<v>, kube-scheduler-<v> for the blue and
# the green Kubernetes version, kubectl-<v> at blue's (the client tests drive resources with, as people
# do), etcd-<v> and kwok-<v> (versions in tools/versions.env). Release binaries cannot be downloaded
# here, so we compile them the way envtest would ship them. Progress goes to stderr.
#
# Each wrapper module under tools/testservers (blue, green, kwok) is cached on its own in
# .cache/kube/modules/<module>-<version>-<source hash>, so editing one relinks only its binaries; the
# printed folder is .cache/kube/<hash of those folders>/bin, made of hard links to them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/tools/testservers"
cache="$root/.cache/kube"
# shellcheck source=versions.env
source "$root/tools/versions.env"

fail() { echo "build-kube: $*" >&2; exit 1; }

# tools/versions.env is the one home of the versions; each go.mod must agree with it.
requires() { # <module> <go module path> <version>
  grep -Eq "^\s*(require\s+)?$2 v$3\$" "$src/$1/go.mod" ||
    fail "tools/versions.env says $2 v$3 but $src/$1/go.mod requires another version"
}
# k8s.io/kubernetes v1.X.Y publishes its staging modules (k8s.io/api, client-go...) as v0.X.Y; a wrapper
# pins every one of them with a replace, and a stray version there would mix two releases in one binary.
staging_pinned() { # <module> <kubernetes version>
  local stray
  stray=$(grep -E '^\s*k8s\.io/[a-z-]+ => k8s\.io/[a-z-]+ v' "$src/$1/go.mod" | grep -v " v0.${2#*.}\$" || true)
  [[ -z "$stray" ]] || fail "$src/$1/go.mod pins staging modules off v0.${2#*.}:"$'\n'"$stray"
}
requires blue k8s.io/kubernetes "$KUBE_BLUE_VERSION"
requires green k8s.io/kubernetes "$KUBE_GREEN_VERSION"
requires green go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
requires kwok sigs.k8s.io/kwok "$KWOK_VERSION"
staging_pinned blue "$KUBE_BLUE_VERSION"
staging_pinned green "$KUBE_GREEN_VERSION"

# Stamps the version the way release builds do, so /version and discovery report v<version> rather
# than v0.0.0-master.
kube_ldflags() { # <kubernetes version>
  local v=k8s.io/component-base/version minor
  minor=$(cut -d. -f2 <<<"$1")
  echo "-s -w -X $v.gitVersion=v$1 -X $v.gitMajor=${1%%.*} -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
}

# The key changes with the version and with any change to the module's sources, the shared orphan guard
# or this script, so an edit never runs against a stale cached binary.
source_hash() { # <module>
  (cd "$root" && find "tools/testservers/$1" tools/testservers/orphan tools/build-kube.sh -type f |
    LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)
}

# build_module <module> <label> <ldflags> <command>:<version>... builds the commands of one wrapper
# module into its cache folder (each binary named <command>-<version>) and prints that folder.
build_module() {
  local module=$1 label=$2 ldflags=$3
  shift 3
  local dir
  dir="$cache/modules/$module-$label-$(source_hash "$module")"
  if [[ ! -d "$dir" ]]; then
    command -v go >/dev/null || fail "Go is required to build the test servers; none on PATH"
    local packages=() spec
    for spec in "$@"; do packages+=("./cmd/${spec%%:*}"); done
    echo "build-kube: building ${packages[*]} of tools/testservers/$module ($label; a cold build takes minutes)..." >&2
    local start=$SECONDS
    # Build into a temporary folder and rename it, so an interrupted build never leaves half-written
    # binaries that a later run would take for cached ones.
    local tmp="$dir.tmp.$$"
    rm -rf "$tmp" && mkdir -p "$tmp"
    (cd "$src/$module" && go build -trimpath -ldflags="$ldflags" -o "$tmp/" "${packages[@]}")
    for spec in "$@"; do mv "$tmp/${spec%%:*}" "$tmp/${spec%%:*}-${spec#*:}"; done
    # Another run may have finished the same build meanwhile; its folder is as good as ours.
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
    echo "build-kube: built tools/testservers/$module in $((SECONDS - start)) s" >&2
  fi
  echo "$dir"
}

modules=(
  "$(build_module blue "k8s-$KUBE_BLUE_VERSION" "$(kube_ldflags "$KUBE_BLUE_VERSION")" \
    "kube-apiserver:$KUBE_BLUE_VERSION" "kube-controller-manager:$KUBE_BLUE_VERSION" "kube-scheduler:$KUBE_BLUE_VERSION" \
    "kubectl:$KUBE_BLUE_VERSION")"
  "$(build_module green "k8s-$KUBE_GREEN_VERSION-etcd-$ETCD_VERSION" "$(kube_ldflags "$KUBE_GREEN_VERSION")" \
    "kube-apiserver:$KUBE_GREEN_VERSION" "kube-controller-manager:$KUBE_GREEN_VERSION" "kube-scheduler:$KUBE_GREEN_VERSION" \
    "etcd:$ETCD_VERSION")"
  "$(build_module kwok "kwok-$KWOK_VERSION" "-s -w" "kwok:$KWOK_VERSION")"
)

bin="$cache/$(printf '%s\n' "${modules[@]}" | sha256sum | cut -c1-12)/bin"
if [[ ! -d "$bin" ]]; then
  tmp="$bin.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  # Hard links: no copy of ~500 MB of binaries, and the folder stays valid if a module folder is pruned.
  for dir in "${modules[@]}"; do ln -f "$dir"/* "$tmp/"; done
  mv -T "$tmp" "$bin" 2>/dev/null || rm -rf "$tmp"
fi
echo "$bin"
