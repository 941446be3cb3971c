#!/usr/bin/env bash
# Pre-build the Camunda 7 test engine so the first test does not pay for Maven.
# CI calls this up front; the pytest fixture calls the same build when sources changed.
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B package -DskipTests "$@"
ls -l target/camunda7-harness.jar
