#!/usr/bin/env bash
# Test set-up, the first half of the README's test command:
# the package with its test tools, and headless Chromium for the report's browser test.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -e ".[dev]"
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
elif command -v sudo >/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
else
  echo "tests/setup.sh: install the Debian packages chromium and chromium-driver for tests/functional/test_report.py" >&2
fi
