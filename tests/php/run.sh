#!/usr/bin/env bash
# The Magento module's checks without Magento: php -l, composer validate, PSR-12, every
# XML file against Magento's XSDs (when ../shared is there), and PHPUnit with a live
# bridge on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
MODULE=magento_module
PY=.venv/bin/python

find "$MODULE" -name '*.php' -print0 | xargs -0 -n1 php -l >/dev/null
composer validate --no-interaction --no-check-lock --no-check-publish "$MODULE/composer.json" >/dev/null
phpcs --standard=PSR12 -n --ignore="$MODULE/Test/Stubs,$MODULE/view" "$MODULE"

XSD_ROOT=../shared/magento/xsd
if [ -f "$XSD_ROOT/catalog.xml" ]; then
  for xml in $(find "$MODULE/etc" "$MODULE/view" -name '*.xml'); do
    urn=$(sed -n 's/.*noNamespaceSchemaLocation="\([^"]*\)".*/\1/p' "$xml" | head -1)
    xsd=$(echo "$urn" | sed -e "s#^urn:magento:framework:#$XSD_ROOT/framework/#" \
                            -e "s#^urn:magento:module:\(Magento_[A-Za-z]*\):#$XSD_ROOT/module/\1/#")
    # Schemas the shared folder lacks are kept in tests/php/xsd (same layout).
    [ -f "$xsd" ] || xsd=${xsd/#$XSD_ROOT/tests/php/xsd}
    if [ ! -f "$xsd" ]; then
      echo "module XML: no schema here for $urn; $xml checked for well-formedness only"
      xmllint --noout "$xml"
      continue
    fi
    XML_CATALOG_FILES="$XSD_ROOT/catalog.xml" xmllint --noout --schema "$xsd" "$xml" 2>&1 | grep -v ' validates$' || true
    XML_CATALOG_FILES="$XSD_ROOT/catalog.xml" xmllint --noout --schema "$xsd" "$xml" >/dev/null 2>&1 \
      || { echo "XSD validation failed: $xml"; exit 1; }
  done
  echo "module XML: valid against Magento's XSDs"
else
  echo "module XML: skipped XSD validation ($XSD_ROOT is absent); checked well-formedness only"
  find "$MODULE" -name '*.xml' -print0 | xargs -0 xmllint --noout
fi

SECRET="php-suite-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
OUT=$(mktemp)
$PY tests/php/serve_bridge.py "$SECRET" >"$OUT" 2>&1 &
BRIDGE_PID=$!
trap 'kill "$BRIDGE_PID" 2>/dev/null || true; wait "$BRIDGE_PID" 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 100); do grep -q '^PORT=' "$OUT" && break; sleep 0.1; done
PORT=$(sed -n 's/^PORT=//p' "$OUT")
[ -n "$PORT" ] || { echo "bridge did not start:"; cat "$OUT"; exit 1; }
(cd "$MODULE" && BRIDGE_URL="http://127.0.0.1:$PORT" BRIDGE_SECRET="$SECRET" phpunit)
