#!/usr/bin/env bash
# Install Camunda's official JavaScript external-task client (pinned by package-lock.json)
# for tests/devengine/test_official_camunda7_client.py. CI calls this up front so the npm
# step is visible of its own; the test's fixture runs the same `npm ci` when it is missing.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
node -e 'import("camunda-external-task-client-js").then(() => console.log("camunda-external-task-client-js ready"))'
