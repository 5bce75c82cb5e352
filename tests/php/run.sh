#!/usr/bin/env bash
# Runs the Magento module's PHPUnit suite when it exists.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -f magento_module/phpunit.xml.dist ] || [ -f magento_module/phpunit.xml ]; then
  (cd magento_module && phpunit)
else
  echo "php: no PHPUnit suite yet"
fi
