#!/usr/bin/env bash
# Builds the test cluster's components from source (no downloaded binaries): etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kwok and metrics-server, each from the module pinned in this folder.
#
# Output: $OUTPOST_KUBE_CACHE/bin (default e2e/cluster/.cache/bin, ignored by git). A component is
# rebuilt only when its module files or the Go version change (a stamp file records what built it).
# Needs: Go >= 1.26 and the Go module proxy; cold, about 1.3 GiB of modules and tens of minutes on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${OUTPOST_KUBE_CACHE:-$here/.cache}
bin=$cache/bin
mkdir -p "$bin"
export CGO_ENABLED=0 GOFLAGS=-mod=readonly
start=$(date +%s)

kube_version=$(awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$here/kubernetes/go.mod")
kube_minor=$(echo "$kube_version" | cut -d. -f2)
kube_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$kube_version \
 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$kube_minor \
 -X k8s.io/component-base/version.gitTreeState=clean"

# build MODULE_DIR BINARY PACKAGE LDFLAGS
build() {
  local module=$1 name=$2 pkg=$3 ldflags=$4
  local stamp
  stamp=$(cat "$here/$module/go.mod" "$here/$module/go.sum" "$here"/$module/*.go 2>/dev/null | sha256sum | cut -c1-16)-$(go env GOVERSION)
  if [[ -x "$bin/$name" && -f "$bin/$name.stamp" && "$(cat "$bin/$name.stamp")" == "$stamp" ]]; then
    echo "cluster-build: $name is up to date"
    return
  fi
  local t0
  t0=$(date +%s)
  echo "cluster-build: building $name from $pkg"
  (cd "$here/$module" && go build -trimpath -ldflags "$ldflags" -o "$bin/$name.tmp" "$pkg")
  mv "$bin/$name.tmp" "$bin/$name"
  echo "$stamp" > "$bin/$name.stamp"
  echo "cluster-build: $name built in $(( $(date +%s) - t0 ))s"
}

build etcd etcd . "-s -w"
build kubernetes kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$kube_ldflags"
build kubernetes kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$kube_ldflags"
build kubernetes kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler "$kube_ldflags"
build kwok kwok sigs.k8s.io/kwok/cmd/kwok "-s -w"
build metrics-server metrics-server sigs.k8s.io/metrics-server/cmd/metrics-server "-s -w"

echo "cluster-build: done in $(( $(date +%s) - start ))s; binaries in $bin ($(du -sh "$bin" | cut -f1))"
