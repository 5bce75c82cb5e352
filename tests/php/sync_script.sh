#!/usr/bin/env bash
# Writes the module's RequireJS copy of the pages' script (view/adminhtml/web/js/channel.js)
# from bridge/static/channel.js, which stays the one source; ControllerTest checks they agree.
set -euo pipefail
cd "$(dirname "$0")/../.."
{
  printf '/* The Amazon channel pages'"'"' script as a RequireJS module: bridge/static/channel.js, unchanged,\n'
  printf '   inside define() (tests/php/sync_script.sh writes it; ControllerTest keeps the two the same). */\n'
  printf 'define([], function () {\n'
  cat bridge/static/channel.js
  cat bridge/static/rule_builder.js  # the listing-rule builder travels in the same module
  cat bridge/static/new_asin.js  # and the new-products page's script
  cat <<'JS'

    // Inline event handlers are taken out of the fragments for the admin's CSP
    // (Model/FragmentLoader.php); their one use, a select submitting its form, is done here.
    document.addEventListener("change", function (ev) {
      var el = ev.target;
      if (el.dataset && el.dataset.channelAutosubmit === "change" && el.form) { el.form.submit(); }
    });

    return function () {}; // x-magento-init calls the module; the script above did the work
});
JS
} > magento_module/view/adminhtml/web/js/channel.js
