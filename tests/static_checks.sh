#!/usr/bin/env bash
# Static checks that need no running service: PHP syntax, XML well-formedness and
# Magento XSDs, composer.json, compose file and Dockerfiles, ruff, the boundaries of the
# product packages, and mypy.
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
# The product packages: Settings.from_env is their only reader of the environment, and
# none of them imports the stand-ins of sandbox/ (the sample catalog, the demo).
if grep -rnE --include='*.py' '\benviron\b|getenv|putenv' channel bridge worker | grep -v '^channel/settings\.py:'; then
  echo "static checks: the environment is read outside channel/settings.py (use Settings)" >&2
  exit 1
fi
if grep -rnE --include='*.py' '^\s*(from|import) sandbox\b' channel bridge worker; then
  echo "static checks: production code imports sandbox/" >&2
  exit 1
fi
# Types over channel, bridge, worker, sandbox and bench (setup.cfg [mypy]).
"$VENV/bin/mypy" --no-error-summary
echo "static checks: ok"
