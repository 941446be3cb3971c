#!/usr/bin/env bash
# Build one Maven peer and record its sources' digest next to the jar. Every peer's build.sh
# calls this; tests/support/peers.py computes the same digest and reuses the jar while it matches.
#   build_maven_peer.sh PEER_DIR JAR_NAME [mvn args...]   build PEER_DIR/target/JAR_NAME
#   build_maven_peer.sh --digest PEER_DIR                 print the digest of pom.xml and src/
set -euo pipefail
digest() {
  find pom.xml src -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
}
if [[ "$1" == --digest ]]; then
  cd "$2"
  digest
  exit
fi
cd "$1"
jar=$2
shift 2
mvn -q -B package "$@"
digest > target/sources.sha256
ls -l "target/$jar"
