#!/usr/bin/env bash
# README command 2: install what is needed, then run the whole test suite (unit, root integration, e2e).
source "$(dirname "$0")/common.sh"
install_and_build
echo "==> host packages"
node bin/peapod.js setup --skip-image
echo "==> test tools (Debian's Python Kubernetes client, for the exec tests)"
if ! dpkg -s python3-kubernetes >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends python3-kubernetes || { apt-get update && apt-get install -y --no-install-recommends python3-kubernetes; }
fi
echo "==> tests"
npm test
