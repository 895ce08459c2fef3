#!/usr/bin/env bash
# README command 1: install what is needed, start the daemon, and run a seed example end to end with
# the real kubectl. The daemon keeps running afterwards (its log: /var/log/peapod.log).
source "$(dirname "$0")/common.sh"
install_and_build
echo "==> host setup (packages + the localhost/busybox image)"
node bin/peapod.js setup

export KUBECONFIG=/var/lib/peapod/kubeconfig
if ! node bin/peapod.js get nodes >/dev/null 2>&1; then
  echo "==> starting the daemon (log: /var/log/peapod.log)"
  # Node's flag and glibc's malloc tunables for the daemon (src/system/node-flags.ts), in a session of its own.
  GLIBC_TUNABLES=glibc.malloc.mmap_threshold=32768:glibc.malloc.trim_threshold=131072 \
    setsid nohup node --max-semi-space-size=4 bin/peapod.js serve >>/var/log/peapod.log 2>&1 < /dev/null &
  for _ in $(seq 1 100); do
    [ -s "$KUBECONFIG" ] && kubectl get --raw /readyz >/dev/null 2>&1 && break
    sleep 0.2
  done
fi
kubectl get nodes -o wide

echo "==> seed example: examples/two-containers.yaml"
kubectl delete pod two-containers --ignore-not-found --wait=true >/dev/null
kubectl create -f examples/two-containers.yaml
kubectl wait --for=condition=Ready pod/two-containers --timeout=120s
kubectl get pod -o wide
node -e 'fetch("http://127.0.0.1:8080/").then(async (r) => console.log(`GET http://127.0.0.1:8080/ -> ${r.status}\n${await r.text()}`))'
kubectl logs two-containers -c writer
node bin/peapod.js runtime ps
kubectl delete pod two-containers
echo
echo "peapod is serving. Try:"
echo "  peapod apply -f examples/two-containers.yaml && peapod get pods -o wide"
echo "  peapod anatomy two-containers"
echo "  export KUBECONFIG=$KUBECONFIG; kubectl get pods    # kubectl and the client libraries work too"
echo "  source <(peapod completion bash)                   # TAB completion of commands, flags and pod names"
