#!/usr/bin/env bash
# Pre-build the Camunda 7 test engine so the first test does not pay for Maven.
# CI calls this up front; the pytest fixture (tests/support/peers.py) runs this same script when
# the sources' digest it records next to the jar no longer matches pom.xml and src/.
set -euo pipefail
here="$(dirname "$0")"
exec bash "$here/../support/build_maven_peer.sh" "$here" camunda7-harness.jar -DskipTests "$@"
