#!/usr/bin/env bash
# Install Debian's Chromium and its WebDriver for the browser tests (tests/web).
# Idempotent: does nothing when /usr/bin/chromium is already there. Playwright drives
# this system Chromium directly, so `playwright install` (a network download) is never needed.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium chromium-driver fonts-dejavu-core

/usr/bin/chromium --version
