#!/usr/bin/env bash
# Run the project's pinned uv (installing it first if needed): `scripts/uv.sh ARGS...`.
# uv comes from PyPI through pip, checked against the hashes in scripts/uv-requirements.txt,
# into .tools/uv-VERSION/ (a small venv of its own, outside .venv, which uv manages).
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
tool_dir=".tools/uv-$UV_VERSION"

if [ ! -x "$tool_dir/bin/uv" ]; then
  python=""
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      python="$candidate"; break
    fi
  done
  [ -n "$python" ] || { echo "photomanager needs Python 3.11 or newer" >&2; exit 1; }
  echo "Installing uv $UV_VERSION into $tool_dir ..." >&2
  rm -rf "$tool_dir"
  "$python" -m venv "$tool_dir"
  "$tool_dir/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes --only-binary :all: -r scripts/uv-requirements.txt
  "$tool_dir/bin/uv" --version | grep -q "^uv $UV_VERSION\b" ||
    { echo "expected uv $UV_VERSION in $tool_dir" >&2; exit 1; }
fi

# The lock records where each file came from: resolve from PyPI whatever the shell says,
# and never download a Python (only PyPI is reachable; the system Python is used).
unset UV_INDEX UV_INDEX_URL UV_DEFAULT_INDEX UV_EXTRA_INDEX_URL UV_FIND_LINKS UV_NO_INDEX
export UV_PYTHON_DOWNLOADS=never
exec "$tool_dir/bin/uv" "$@"
