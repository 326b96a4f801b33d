#!/usr/bin/env bash
# Formats all Java sources with google-java-format in AOSP style (4-space indent), the project's one style.
# Usage: scripts/format.sh [--check] [dir-or-file...]   (default: the whole repository)
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
. "$home/scripts/env.sh"
version=1.28.0
tools="$home/build/tools/gjf"
mkdir -p "$tools"
if [ ! -f "$tools/cp.txt" ]; then
  cat > "$tools/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>io.livezone.tools</groupId><artifactId>gjf</artifactId><version>1</version>
  <dependencies><dependency><groupId>com.google.googlejavaformat</groupId>
    <artifactId>google-java-format</artifactId><version>$version</version></dependency></dependencies></project>
POM
  (cd "$tools" && mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile=cp.txt >&2)
fi
mode=--replace
if [ "${1:-}" = --check ]; then mode=--dry-run; shift; fi
roots=("$@"); [ ${#roots[@]} -eq 0 ] && roots=("$home")
exports=""
for p in api code file parser tree util; do exports="$exports --add-exports=jdk.compiler/com.sun.tools.javac.$p=ALL-UNNAMED"; done
out=$(find "${roots[@]}" -path "$home/build" -prune -o -name '*.java' -path '*/src/*' -print \
  | xargs "$JAVA_HOME/bin/java" $exports -cp "$(cat "$tools/cp.txt")" com.google.googlejavaformat.java.Main --aosp $mode)
if [ "$mode" = --dry-run ] && [ -n "$out" ]; then
  echo "not formatted (run scripts/format.sh):"; echo "$out"; exit 1
fi
