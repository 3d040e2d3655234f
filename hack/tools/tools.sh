#!/usr/bin/env bash
# The official Kustomize and Helm binaries Plumb renders with, built from
# their Go modules at pinned versions through the module proxy.
#
#   tools.sh build          build (or reuse cached) binaries; link them into .cache/tools/bin/
#   tools.sh install DIR    build (or reuse), then copy both binaries into DIR (the Dockerfile)
#   tools.sh versions       print NAME VERSION lines
#
# Binaries are cached outside the work tree, keyed by version, under
# ${PLUMB_CACHE_DIR:-~/.cache/plumb}/tools/<name>-<version>/, and rebuilt only
# when a pin changes. Each module is built with its own go.mod (go install
# MODULE@VERSION), exactly as upstream pins its dependencies.
set -euo pipefail

KUSTOMIZE_VERSION=v5.8.2   # v5.8.3 needs Go 1.27
HELM_VERSION=v4.3.2
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${PLUMB_CACHE_DIR:-$HOME/.cache/plumb}/tools"
mkdir -p "$CACHE" && CACHE="$(cd "$CACHE" && pwd)"

die() { echo "tools: $*" >&2; exit 1; }
say() { echo "tools: $*" >&2; }

# name version package ldflags
build_one() {
  local name="$1" version="$2" pkg="$3" ldflags="$4"
  local dir="$CACHE/$name-$version/bin"
  [[ -x "$dir/$name" ]] && return
  command -v go >/dev/null || die "Go is not installed (needed once to build $name $version into $CACHE); install Go 1.26+ and retry"
  say "building $name $version into $dir (first run on this machine: takes a few minutes)"
  mkdir -p "$CACHE"
  local tmp="$dir.tmp.$$" log="$CACHE/build-$name-$version.log"
  rm -rf "$tmp"; mkdir -p "$tmp"
  (cd "$CACHE" && CGO_ENABLED=0 GOBIN="$tmp" GOFLAGS=-buildvcs=false go install -trimpath -ldflags "-s -w $ldflags" "$pkg@$version") \
    >"$log" 2>&1 || { rm -rf "$tmp"; die "building $name $version failed: see $log ($(tail -1 "$log"))"; }
  "$tmp/$name" version >/dev/null 2>&1 || { rm -rf "$tmp"; die "the built $name does not run: see $log"; }
  rm -rf "$dir"; mkdir -p "$(dirname "$dir")"; mv "$tmp" "$dir"
}

build() {
  # kustomize reads its version from the module's build info
  build_one kustomize "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5 ""
  build_one helm "$HELM_VERSION" helm.sh/helm/v4/cmd/helm \
    "-X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.metadata="
}

link() {
  mkdir -p "$REPO/.cache/tools/bin"
  ln -sfn "$CACHE/kustomize-$KUSTOMIZE_VERSION/bin/kustomize" "$REPO/.cache/tools/bin/kustomize"
  ln -sfn "$CACHE/helm-$HELM_VERSION/bin/helm" "$REPO/.cache/tools/bin/helm"
}

case "${1:-}" in
  build) build; link ;;
  install)
    [[ -n "${2:-}" ]] || die "usage: tools.sh install DIR"
    build; mkdir -p "$2"
    cp "$CACHE/kustomize-$KUSTOMIZE_VERSION/bin/kustomize" "$CACHE/helm-$HELM_VERSION/bin/helm" "$2/" ;;
  versions) echo "kustomize $KUSTOMIZE_VERSION"; echo "helm $HELM_VERSION" ;;
  *) die "usage: tools.sh build | install DIR | versions" ;;
esac
