#!/usr/bin/env bash
# The local test cluster: a real control plane (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler) plus KWOK standing in for nodes and
# kubelets, all as plain processes on loopback.
#
#   cluster.sh build            build (or reuse cached) binaries
#   cluster.sh up | down        start / stop everything (idempotent)
#   cluster.sh status           one line per component
#   cluster.sh stop COMPONENT   stop one component (fault-injection tests)
#   cluster.sh start COMPONENT  start one component again
#
# Binaries are cached outside the work tree, keyed by version, under
# ${PLUMB_CACHE_DIR:-~/.cache/plumb}/cluster/. State, logs and the admin
# kubeconfig live in .cache/cluster/ of the repository.
set -euo pipefail

K8S_VERSION=v1.37.2
KWOK_VERSION=v0.8.0
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${PLUMB_CACHE_DIR:-$HOME/.cache/plumb}/cluster"
K8S_BIN="$CACHE/$K8S_VERSION/bin"
KWOK_BIN="$CACHE/kwok-$KWOK_VERSION/bin"
WORK="$REPO/.cache/cluster"
PKI="$WORK/pki"
LOGS="$WORK/logs"
RUN="$WORK/run"
ETCD_PORT="${PLUMB_ETCD_PORT:-23790}"
ETCD_PEER_PORT="${PLUMB_ETCD_PEER_PORT:-23800}"
API_PORT="${PLUMB_APISERVER_PORT:-16443}"
KWOK_PORT="${PLUMB_KWOK_PORT:-10247}"
KUBECONFIG_OUT="$WORK/kubeconfig"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

die() { echo "cluster: $*" >&2; exit 1; }
say() { echo "cluster: $*" >&2; }

# --- build -----------------------------------------------------------------

build_stamp() { cat "$HERE/go.mod" "$HERE/go.sum" "$HERE/cmd/etcd/main.go" | sha256sum | cut -c1-16; }

build() {
  command -v go >/dev/null || die "Go is not installed (needed once to build the cluster binaries into $CACHE); install Go 1.26+ and retry"
  local stamp; stamp="$(build_stamp)"
  if [[ "$(cat "$K8S_BIN/.stamp" 2>/dev/null)" != "$stamp" ]]; then
    say "building Kubernetes $K8S_VERSION and etcd into $K8S_BIN (first run on this machine: takes a while)"
    local tmp="$K8S_BIN.tmp.$$" v="$K8S_VERSION"
    rm -rf "$tmp"; mkdir -p "$tmp"
    local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37 -X k8s.io/client-go/pkg/version.gitVersion=$v -X k8s.io/component-base/version.gitTreeState=clean"
    (cd "$HERE" && go build -trimpath -ldflags "$ldflags" -o "$tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl ./cmd/etcd) \
      >"$CACHE/build-k8s.log" 2>&1 || die "building Kubernetes failed: see $CACHE/build-k8s.log ($(tail -1 "$CACHE/build-k8s.log"))"
    echo "$stamp" >"$tmp/.stamp"
    rm -rf "$K8S_BIN"; mv "$tmp" "$K8S_BIN"
  fi
  if [[ ! -x "$KWOK_BIN/kwok" ]]; then
    say "building KWOK $KWOK_VERSION into $KWOK_BIN"
    local tmp="$KWOK_BIN.tmp.$$"
    rm -rf "$tmp"; mkdir -p "$tmp"
    (cd "$CACHE" && GOBIN="$tmp" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION") \
      >"$CACHE/build-kwok.log" 2>&1 || die "building KWOK failed: see $CACHE/build-kwok.log ($(tail -1 "$CACHE/build-kwok.log"))"
    rm -rf "$KWOK_BIN"; mv "$tmp" "$KWOK_BIN"
  fi
  mkdir -p "$WORK/bin"
  ln -sf "$K8S_BIN/kubectl" "$WORK/bin/kubectl"
}

# --- certificates ----------------------------------------------------------

pki() {
  [[ -f "$PKI/.done" ]] && return
  command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"
  rm -rf "$PKI"; mkdir -p "$PKI"; cd "$PKI"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=plumb-local-ca" 2>/dev/null
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  cert apiserver "/CN=kube-apiserver" "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert admin "/O=system:masters/CN=plumb-admin" ""
  cert controller-manager "/CN=system:kube-controller-manager" ""
  cert scheduler "/CN=system:kube-scheduler" ""
  cert kwok "/O=system:masters/CN=kwok" ""
  touch .done; cd - >/dev/null
}

cert() { # name subject [extension]
  local name="$1" subj="$2" ext="$3"
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subj" 2>/dev/null
  if [[ -n "$ext" ]]; then
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" -days 3650 -extfile <(echo "$ext") 2>/dev/null
  else
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" -days 3650 2>/dev/null
  fi
}

kubeconfig_for() { # name -> path
  local name="$1" out="$WORK/$1.kubeconfig"
  [[ "$name" == admin ]] && out="$KUBECONFIG_OUT"
  cat >"$out" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: plumb-local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 <"$PKI/$name.crt")
    client-key-data: $(base64 -w0 <"$PKI/$name.key")
contexts:
- name: plumb-local
  context: {cluster: plumb-local, user: $name}
current-context: plumb-local
EOF
  echo "$out"
}

# --- processes -------------------------------------------------------------

pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }
running() { local p; p="$(pid_of "$1")"; [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

launch() { # name cmd...
  local name="$1"; shift
  running "$name" && return
  mkdir -p "$LOGS" "$RUN"
  setsid nohup "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

wait_for() { # what seconds cmd...
  local what="$1" secs="$2"; shift 2
  for _ in $(seq 1 $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what did not become ready within ${secs}s; see $LOGS/"
}

apiserver_ready() {
  curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:$API_PORT/readyz"
}

start_component() {
  case "$1" in
    etcd)
      running etcd || port_free "$ETCD_PORT" || die "port $ETCD_PORT (etcd) is taken; set PLUMB_ETCD_PORT"
      launch etcd "$K8S_BIN/etcd" --name default --data-dir "$WORK/etcd" \
        --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
        --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
        --initial-cluster "default=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn \
        --quota-backend-bytes 4294967296
      wait_for etcd 30 curl -sf "http://127.0.0.1:$ETCD_PORT/health"
      ;;
    kube-apiserver)
      running kube-apiserver || port_free "$API_PORT" || die "port $API_PORT (kube-apiserver) is taken; set PLUMB_APISERVER_PORT"
      launch kube-apiserver "$K8S_BIN/kube-apiserver" \
        --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
        --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
        --endpoint-reconciler-type none \
        --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
        --client-ca-file "$PKI/ca.crt" \
        --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
        --service-account-issuer https://kubernetes.default.svc.cluster.local \
        --authorization-mode Node,RBAC --allow-privileged=true \
        --service-cluster-ip-range 10.96.0.0/16 --cert-dir "$PKI/serving" \
        --profiling=false --v=1
      wait_for kube-apiserver 90 apiserver_ready
      ;;
    kube-controller-manager)
      launch kube-controller-manager "$K8S_BIN/kube-controller-manager" \
        --kubeconfig "$(kubeconfig_for controller-manager)" \
        --authentication-kubeconfig "$WORK/controller-manager.kubeconfig" \
        --authorization-kubeconfig "$WORK/controller-manager.kubeconfig" \
        --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
        --use-service-account-credentials=true \
        --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
        --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
        --controllers '*,-nodeipam' \
        --concurrent-deployment-syncs 10 --concurrent-replicaset-syncs 10 \
        --kube-api-qps 200 --kube-api-burst 400 --v=1
      ;;
    kube-scheduler)
      launch kube-scheduler "$K8S_BIN/kube-scheduler" \
        --kubeconfig "$(kubeconfig_for scheduler)" \
        --authentication-kubeconfig "$WORK/scheduler.kubeconfig" \
        --authorization-kubeconfig "$WORK/scheduler.kubeconfig" \
        --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
        --kube-api-qps 200 --kube-api-burst 400 --v=1
      ;;
    kwok)
      running kwok || port_free "$KWOK_PORT" || die "port $KWOK_PORT (kwok) is taken; set PLUMB_KWOK_PORT"
      local configs=() f
      for f in "$HERE"/kwok/*.yaml; do configs+=(--config "$f"); done
      launch kwok "$KWOK_BIN/kwok" --kubeconfig "$(kubeconfig_for kwok)" "${configs[@]}" \
        --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
        --manage-nodes-with-label-selector= --server-address "127.0.0.1:$KWOK_PORT" \
        --node-ip 10.0.0.1 --cidr 10.0.0.1/16 --node-lease-duration-seconds 40
      ;;
    *) die "unknown component $1 (one of: ${COMPONENTS[*]})" ;;
  esac
}

stop_component() {
  local p; p="$(pid_of "$1")"
  if [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; then
    kill "$p" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  fi
  rm -f "$RUN/$1.pid"
}

kubectl_() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT" "$@"; }

add_node() {
  kubectl_ apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {type: kwok, kubernetes.io/hostname: kwok-node-0, kubernetes.io/os: linux, kubernetes.io/arch: amd64, kubernetes.io/role: agent}
status:
  allocatable: {cpu: "1000", memory: 1Ti, pods: "10000"}
  capacity: {cpu: "1000", memory: 1Ti, pods: "10000"}
EOF
}

up() {
  build
  mkdir -p "$WORK" "$LOGS" "$RUN"
  pki
  for c in "${COMPONENTS[@]}"; do start_component "$c"; done
  kubeconfig_for admin >/dev/null
  add_node
  wait_for "the KWOK node" 60 node_ready
  wait_for "the default ServiceAccount" 60 kubectl_ get serviceaccount default -n default
  say "up: kubeconfig at $KUBECONFIG_OUT, kubectl at $WORK/bin/kubectl"
}

node_ready() { [[ "$(kubectl_ get node kwok-node-0 -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" == True ]]; }

down() {
  local i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop_component "${COMPONENTS[$i]}"; done
  rm -rf "$WORK/etcd"
  say "down"
}

status() {
  local c
  for c in "${COMPONENTS[@]}"; do
    if running "$c"; then echo "$c running (pid $(pid_of "$c"))"; else echo "$c stopped"; fi
  done
}

case "${1:-}" in
  build) build ;;
  up) up ;;
  down) down ;;
  status) status ;;
  stop) stop_component "${2:?component}" ;;
  start) start_component "${2:?component}" ;;
  *) die "usage: cluster.sh build|up|down|status|stop C|start C" ;;
esac
