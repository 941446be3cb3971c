#!/usr/bin/env bash
# Build the BPMN validator peer used by tests/support/bpmn_validator.py (Zeebe model validation and the
# OMG BPMN 2.0 XSD). CI calls this up front so the Maven step is visible of its own. It records
# the sources' digest next to the jar, so the fixture (which computes the same digest) reuses
# the jar; the fixture rebuilds by itself only when pom.xml or src/ changed.
set -euo pipefail
cd "$(dirname "$0")"
digest() {
  find pom.xml src -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
}
mvn -q -B package "$@"
digest > target/sources.sha256
ls -l target/bpmn-validator-peer.jar
