# Shared steps of the README's two commands: checks, npm dependencies, build, host packages.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "peapod: run this as root (it installs host packages and drives runc, mounts and the pod network)" >&2
    exit 1
  fi
}

need_node() {
  if ! command -v node >/dev/null || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
    echo "peapod: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
    exit 1
  fi
}

install_and_build() {
  need_root
  need_node
  echo "==> npm dependencies"
  npm ci --no-audit --no-fund
  echo "==> build"
  npm run build
}
