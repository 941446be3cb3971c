#!/usr/bin/env bash
# Build Camunda's FEEL engine peer used by tests/feel/ (the differential FEEL tests).
# CI calls this up front so the Maven step is visible of its own. It records the sources' digest
# next to the jar, so the test fixture (which computes the same digest) reuses the jar instead of
# building again; the fixture rebuilds by itself only when pom.xml or src/ changed.
set -euo pipefail
here="$(dirname "$0")"
exec bash "$here/../support/build_maven_peer.sh" "$here" feel-engine-peer.jar "$@"
