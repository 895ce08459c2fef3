#!/usr/bin/env bash
# README command 2: install what is needed, then run the whole test suite (unit, root integration, e2e).
source "$(dirname "$0")/common.sh"
install_and_build
echo "==> host packages"
node bin/peapod.js setup --skip-image --no-path
echo "==> test tools (Debian's Python Kubernetes client for the exec tests; a registry, skopeo and htpasswd for the pull tests; chromium for the dashboard's browser test)"
missing=()
for pkg in python3-kubernetes docker-registry skopeo apache2-utils chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" || { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; }
fi
echo "==> tests"
npm test
