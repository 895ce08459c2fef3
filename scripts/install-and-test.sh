#!/usr/bin/env bash
# README command 2: install what is needed, then run the whole test suite (unit, root integration, e2e).
source "$(dirname "$0")/common.sh"
install_and_build
echo "==> host packages"
node bin/peapod.js setup --skip-image
echo "==> tests"
npm test
