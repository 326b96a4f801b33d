# Sourced by bin/*: picks the newest JDK (>= 21) under /usr/lib/jvm as JAVA_HOME.
lz_pick_jdk() {
  local best="" bestv=0 d v
  for d in /usr/lib/jvm/*/; do
    d=${d%/}
    [ -x "$d/bin/javac" ] && [ -x "$d/bin/jlink" ] || continue
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release" 2>/dev/null)
    [ -n "$v" ] || continue
    if [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi
  done
  if [ "$bestv" -lt 21 ]; then
    echo "livezone: no JDK >= 21 under /usr/lib/jvm (found ${bestv:-none}); install Temurin 21+ there" >&2
    return 1
  fi
  export JAVA_HOME=$best
}
lz_pick_jdk
# Maven 3.8's bundled Guava uses sun.misc.Unsafe; JDK 24+ warns about it on every build.
v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release")
if [ "${v:-0}" -ge 24 ]; then export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"; fi
