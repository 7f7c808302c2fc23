#!/usr/bin/env bash
# Link impairment between wirebench's own namespaces (wb-client ⇄ wb-server).
# tc-netem where the kernel has sch_netem, the userspace emulator otherwise.
# Exit: 0 ok · 1 cannot run here (e.g. not root) · 2 usage error. See netem/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "${1:-}" in
  up | down)
    if [ "$(id -u)" -ne 0 ]; then
      echo "netem.sh: needs root (network namespaces, TUN, tc); without it the bench runs on loopback only" >&2
      exit 1
    fi
    ;;
esac
exec node --import "$here/../node_modules/tsx/dist/loader.mjs" "$here/cli.ts" "$@"
