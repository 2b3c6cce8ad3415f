#!/usr/bin/env bash
# Puts the SEPA XML schemas the tests validate our bank files against in .cache/sepa-xsd/ (not committed).
#
# No npm package ships the ISO 20022 pain schemas. Debian's libhbci4j-core-java does: its jar holds the
# German banking industry's SEPA schemas for the ISO 20022 2009 namespaces (pain.008.001.02,
# pain.001.001.03), which restrict the ISO base schemas to the EPC rulebooks (SEPA character set, lengths,
# one currency), so a file they accept is also valid under the base schemas. The package is downloaded,
# not installed (no Java needed), and only the two schemas are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
target=.cache/sepa-xsd
schemas=(pain.008.001.02.xsd pain.001.001.03.xsd)
if [ -f "$target/${schemas[0]}" ] && [ -f "$target/${schemas[1]}" ]; then exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq libhbci4j-core-java >/dev/null 2>&1 || { apt-get update -qq && apt-get download -qq libhbci4j-core-java; })
dpkg-deb -x "$work"/libhbci4j-core-java_*.deb "$work/pkg"
mkdir -p "$target"
python3 - "$work/pkg/usr/share/java/hbci4j-core.jar" "$target" "${schemas[@]}" <<'PY'
import sys, zipfile
jar, target, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(jar) as z:
    for name in names:
        with open(f"{target}/{name}", "wb") as out:
            out.write(z.read(name))
PY
echo "SEPA schemas in $target: ${schemas[*]}"
