#!/usr/bin/env bash
# Make sure PostgreSQL's server binaries (Debian's packages) are on this machine.
# The tests start their own throw-away server from them (initdb in a temp dir).
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "PostgreSQL server binaries are missing; run as root or: sudo apt-get install postgresql" >&2
  exit 1
fi
echo "Installing PostgreSQL from Debian's packages ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql >/dev/null
