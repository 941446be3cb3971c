#!/usr/bin/env bash
# Build the official Camunda Java client peer used by tests/devengine/test_official_camunda_client.py.
# CI calls this up front so the Maven step is visible of its own. It records the sources' digest
# next to the jar, so the test (which computes the same digest) reuses the jar instead of
# building again; the test rebuilds by itself only when pom.xml or src/ changed.
set -euo pipefail
here="$(dirname "$0")"
exec bash "$here/../support/build_maven_peer.sh" "$here" camunda-client-peer.jar "$@"
