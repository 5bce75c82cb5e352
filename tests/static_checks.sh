#!/usr/bin/env bash
# Static checks that need no running service: PHP syntax, XML well-formedness and
# Magento XSDs, composer.json, compose file and Dockerfiles.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
if [ -d magento_module ] && find magento_module -name '*.php' | grep -q .; then
  find magento_module -name '*.php' -not -path '*/vendor/*' -print0 | xargs -0 -n1 php -l >/dev/null
fi
if [ -f magento_module/composer.json ]; then
  composer validate --no-interaction --no-check-lock --no-check-publish magento_module/composer.json >/dev/null
fi
if [ -f docker/compose.yaml ]; then
  CHANNEL_ENCRYPTION_KEY=check CHANNEL_BRIDGE_SECRET=check "$VENV/bin/docker-compose" -f docker/compose.yaml config -q
fi
for f in docker/*Dockerfile* docker/*/Dockerfile*; do
  [ -f "$f" ] && "$VENV/bin/hadolint" --failure-threshold error "$f" >/dev/null
done
"$VENV/bin/ruff" check --quiet channel bridge worker sandbox bench tests
echo "static checks: ok"
