#!/usr/bin/env bash
# Build the BPMN validator peer used by tests/support/bpmn_validator.py (Zeebe model validation and the
# OMG BPMN 2.0 XSD). CI calls this up front so the Maven step is visible of its own. It records
# the sources' digest next to the jar, so the fixture (which computes the same digest) reuses
# the jar; the fixture rebuilds by itself only when pom.xml or src/ changed.
set -euo pipefail
here="$(dirname "$0")"
exec bash "$here/../support/build_maven_peer.sh" "$here" bpmn-validator-peer.jar "$@"
