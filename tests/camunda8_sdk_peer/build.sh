#!/usr/bin/env bash
# Install Camunda's official Node.js SDK (@camunda8/sdk, pinned by package-lock.json) for
# tests/devengine/test_official_camunda8_sdk.py. CI calls this up front so the npm step is
# visible of its own; the test's fixture runs the same `npm ci` when it is missing.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
node -e 'import("@camunda8/sdk").then(() => console.log("@camunda8/sdk ready"))'
