#!/usr/bin/env bash
# Pre-build the Camunda 7 test engine so the first test does not pay for Maven.
# CI calls this up front; the pytest fixture (tests/support/peers.py) runs this same script when
# the sources' digest it records next to the jar no longer matches pom.xml and src/.
set -euo pipefail
cd "$(dirname "$0")"
digest() {
  find pom.xml src -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
}
mvn -q -B package -DskipTests "$@"
digest > target/sources.sha256
ls -l target/camunda7-harness.jar
