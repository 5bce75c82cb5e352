/* Mass actions, progress bars, forms and the rule preview of the Amazon channel pages.
   Calls go to the bridge API directly (standalone) or through the Magento module's
   proxy controller whose URL, with a __PATH__ placeholder, is in data-api-base. */
(function () {
  "use strict";

  function root(el) { return el.closest(".channel-fragment"); }

  function apiUrl(el, path) {
    var base = (root(el) && root(el).dataset.apiBase) || "";
    return base.indexOf("__PATH__") >= 0 ? base.replace("__PATH__", encodeURIComponent(path)) : base + path;
  }

  function call(el, method, path, body) {
    var headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "X-Requested-With": "XMLHttpRequest"};
    var url = apiUrl(el, path);
    var formKey = root(el) && root(el).dataset.formKey;
    // Standalone pages carry their session's CSRF token; inside Magento the form key is used.
    var csrf = document.querySelector('meta[name="channel-csrf"]');
    if (csrf && csrf.content) { headers["X-CSRF-Token"] = csrf.content; }
    // Magento's admin reads the form key from the request parameter form_key only, for every method.
    if (formKey && url.indexOf("form_key=") < 0) {
      url += (url.indexOf("?") >= 0 ? "&" : "?") + "form_key=" + encodeURIComponent(formKey) + "&isAjax=true";
    }
    return fetch(url, {method: method, headers: headers, credentials: "same-origin",
                       body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (resp) {
        return resp.text().then(function (text) {
          var data = text ? JSON.parse(text) : {};
          if (!resp.ok) {
            var err = new Error((data.error && data.error.message) || ("HTTP " + resp.status));
            err.details = (data.error && data.error.details) || {};  // the place a refusal names
            throw err;
          }
          return data;
        });
      });
  }

  function say(el, text, bad) {
    el.textContent = text;
    el.className = el.className.replace(/ ?channel-(ok|bad)/g, "") + (bad ? " channel-bad" : " channel-ok");
  }

  /* Shared with the pages' other scripts (new_asin.js). */
  window.ChannelAmazon = {call: call, say: say};

  function failedSteps(result) {
    var steps = (result && result.steps) || {};
    return Object.keys(steps).filter(function (k) { return steps[k].status !== "ok"; });
  }

  /* What a finished sync did, in counts; "Done" only when every step succeeded. */
  function outcome(result, action) {
    if (!result) { return "Done."; }
    if (result.skipped) { return "Not run: the account is paused or another sync is running."; }
    var bad = failedSteps(result);
    var counts = (result.published || 0) + " published, " + (result.price_stock_changes || 0) +
                 " price/stock changes sent";
    if (action && action.queued !== undefined) { counts = action.queued + " queued; " + counts; }
    if (!bad.length) { return "Done: " + counts + "."; }
    return "Finished with problems: " + counts + "; " + bad.map(function (k) {
      return k + " " + result.steps[k].status + " (" + result.steps[k].message + ")";
    }).join("; ") + ". See the communication log.";
  }

  /* A first sync's long steps, in the merchant's words (the others show their own name). */
  var STEP_WORDS = {asin_lookup: "ASINs looked up", publish: "Offers submitted"};

  function watchJob(el, jobId, done, action) {
    var box = el.querySelector ? el : document;
    var bar = document.createElement("progress");
    var label = document.createElement("span");
    bar.max = 1; bar.value = 0; bar.setAttribute("aria-label", "Job progress");
    label.className = "channel-job-step";
    el.innerHTML = ""; el.appendChild(bar); el.appendChild(label);
    function poll() {
      call(box, "GET", "/api/v1/jobs/" + encodeURIComponent(jobId)).then(function (job) {
        bar.max = job.total || 1; bar.value = job.done || 0;
        label.textContent = " " + (STEP_WORDS[job.step] || job.step || job.status) +
          (job.total ? " " + job.done + "/" + job.total : "");
        if (job.status === "finished" && job.result && job.result.sync_job) {
          label.textContent = " Queued: " + job.result.queued + " products; sending to Amazon...";
          el.dataset.queued = job.result.queued;
          setTimeout(function () { watchJob(el, job.result.sync_job, done, job.result); }, 700);
          return;
        }
        if (job.status === "finished" || job.status === "failed") {
          label.textContent = job.status === "finished" ? " " + outcome(job.result, action) :
            " Failed: " + (job.error || "see the communication log");
          el.dataset.finished = job.result && failedSteps(job.result).length ? "failed" : job.status;
          if (done) { done(job); }
          return;
        }
        setTimeout(poll, 700);
      }).catch(function (err) { label.textContent = " " + err.message; });
    }
    poll();
  }

  /* The listings grid's "Find ASINs on Amazon": under each selected row its candidate ASINs
     (those already known at once, the others from a worker job searching Amazon's catalog),
     each with Assign; "Assign where exactly one candidate" assigns every obvious one. */
  function asinRow(frag, lid) {
    var row = frag.querySelector('#channel-listings tr[data-listing-id="' + lid + '"]');
    if (!row) { return null; }
    var old = frag.querySelector('tr.channel-asin-candidates[data-for="' + lid + '"]');
    if (old) { old.parentNode.removeChild(old); }
    var tr = document.createElement("tr"), td = document.createElement("td");
    tr.className = "channel-asin-candidates"; tr.dataset["for"] = lid;
    td.colSpan = row.children.length;
    tr.appendChild(td);
    row.parentNode.insertBefore(tr, row.nextSibling);
    return tr;
  }

  function showCandidates(frag, entry, note) {
    var tr = asinRow(frag, entry.listing_id);
    if (!tr) { return; }
    var td = tr.firstChild, head = document.createElement("span");
    var by = entry.searched_by;
    head.className = "channel-asin-searched";
    if (note) { head.textContent = entry.seller_sku + ": " + note; td.appendChild(head); return; }
    head.textContent = entry.seller_sku + ": " + (by ? "searched by " + (by.kind === "keywords" ? "name" : by.kind.toUpperCase()) +
      " \u201c" + by.value + "\u201d" : "candidates the barcode matched") + ". ";
    td.appendChild(head);
    if (entry.error) {
      var bad = document.createElement("span");
      bad.className = "channel-bad"; bad.textContent = "The search failed: " + entry.error;
      td.appendChild(bad);
      return;
    }
    var cands = entry.candidates || [], assignable = cands.filter(function (c) { return !c.parent; });
    tr.dataset.assignable = cands.length === 1 && assignable.length === 1 ? assignable[0].asin : "";
    if (!cands.length) { td.appendChild(document.createTextNode("No candidates found on Amazon.")); return; }
    var ul = document.createElement("ul");
    ul.className = "channel-asin-list";
    cands.forEach(function (c) {
      var li = document.createElement("li");
      li.className = "channel-candidate"; li.dataset.asin = c.asin;
      li.textContent = c.asin + (c.title ? " " + c.title : "") + (c.brand ? " (" + c.brand + ")" : "") + " ";
      if (c.parent) {
        li.appendChild(document.createTextNode("variation parent: choose one of its children"));
      } else {
        var b = document.createElement("button");
        b.type = "button"; b.className = "action-secondary channel-assign-asin";
        b.dataset.listingId = entry.listing_id; b.dataset.asin = c.asin; b.textContent = "Assign";
        li.appendChild(b);
      }
      ul.appendChild(li);
    });
    td.appendChild(ul);
  }

  function assignAsins(el, frag, status, assignments) {
    return call(el, "POST", "/api/v1/accounts/" + frag.dataset.accountId + "/listings/asins",
                {assignments: assignments}).then(function (r) {
      r.assigned.forEach(function (a) {
        var tr = frag.querySelector('tr.channel-asin-candidates[data-for="' + a.listing_id + '"]');
        var row = frag.querySelector('#channel-listings tr[data-listing-id="' + a.listing_id + '"]');
        if (tr) {
          tr.dataset.assigned = a.asin; tr.dataset.assignable = "";
          tr.firstChild.textContent = "ASIN " + a.asin + " assigned; now: " + a.reason_text.title + ".";
        }
        if (row && row.querySelector(".channel-asin")) { row.querySelector(".channel-asin").textContent = a.asin; }
      });
      say(status, r.assigned.length + (r.assigned.length === 1 ? " ASIN" : " ASINs") + " assigned.", false);
    }).catch(function (err) { say(status, err.message, true); });
  }

  function followAsinSearch(frag, status, jobId, count) {
    call(frag, "GET", "/api/v1/jobs/" + encodeURIComponent(jobId)).then(function (job) {
      if (job.status === "finished") {
        var res = job.result || {};
        if (res.error) { say(status, "The search failed: " + res.error, true); return; }
        (res.listings || []).forEach(function (entry) { showCandidates(frag, entry); });
        status.dataset.finished = "finished";
        say(status, "Amazon's catalog searched for " + (res.listings || []).length + " listings; candidates below.", false);
        frag.querySelector("#channel-assign-single").hidden = false;
        return;
      }
      if (job.status === "failed") {
        status.dataset.finished = "failed";
        say(status, "The search failed: " + (job.error || "see the communication log"), true);
        return;
      }
      if (job.status !== "queued") {
        say(status, "Searching Amazon's catalog: " + (job.done || 0) + "/" + (job.total || count) + " listings...", false);
      }
      setTimeout(function () { followAsinSearch(frag, status, jobId, count); }, 700);
    }).catch(function (err) { say(status, err.message, true); });
  }

  function findAsins(el, frag, ids, status) {
    var limit = parseInt(frag.querySelector(".channel-mass-actions").dataset.asinLimit || "100", 10);
    if (ids.length > limit) {
      say(status, "At most " + limit + " listings are searched at a time; " + ids.length +
          " are selected. Select fewer and search again.", true);
      return;
    }
    Array.prototype.forEach.call(frag.querySelectorAll("tr.channel-asin-candidates"), function (tr) {
      tr.parentNode.removeChild(tr);
    });
    delete status.dataset.finished;
    call(el, "POST", "/api/v1/accounts/" + frag.dataset.accountId + "/listings/asin-search", {listing_ids: ids})
      .then(function (r) {
        r.skipped.forEach(function (s) { showCandidates(frag, s, "skipped, " + s.reason + "."); });
        r.known.forEach(function (k) { showCandidates(frag, k); });
        if (r.known.length) { frag.querySelector("#channel-assign-single").hidden = false; }
        if (!r.job_id) {
          status.dataset.finished = "finished";
          say(status, "Nothing to search on Amazon; the candidates already known are below.", false);
          return;
        }
        say(status, "Queued: a worker searches Amazon's catalog for " + r.searched.length + " listings...", false);
        followAsinSearch(frag, status, r.job_id, r.searched.length);
      }).catch(function (err) { say(status, err.message, true); });
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!t.classList || !(t.classList.contains("channel-assign-asin") || t.id === "channel-assign-single")) { return; }
    var frag = root(t), status = frag.querySelector(".channel-mass-actions .channel-job");
    if (t.id === "channel-assign-single") {
      var obvious = Array.prototype.filter.call(frag.querySelectorAll("tr.channel-asin-candidates"), function (tr) {
        return tr.dataset.assignable && !tr.dataset.assigned;
      }).map(function (tr) { return {listing_id: parseInt(tr.dataset["for"], 10), asin: tr.dataset.assignable}; });
      if (!obvious.length) { say(status, "No listing shown has exactly one candidate left to assign.", true); return; }
      assignAsins(t, frag, status, obvious);
    } else {
      assignAsins(t, frag, status, [{listing_id: parseInt(t.dataset.listingId, 10), asin: t.dataset.asin}]);
    }
  });

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t.id === "channel-select-all") {
      document.querySelectorAll(".channel-select").forEach(function (c) { c.checked = t.checked; });
    }
    if (t.id === "channel-run-action") {
      var frag = root(t);
      var ids = Array.prototype.map.call(document.querySelectorAll(".channel-select:checked"),
                                         function (c) { return parseInt(c.value, 10); });
      var action = document.getElementById("channel-action").value;
      var status = frag.querySelector(".channel-mass-actions .channel-job");
      if (!ids.length && action !== "sync") { status.textContent = "Select listings first."; return; }
      if (action === "find_asins") { findAsins(t, frag, ids, status); return; }
      call(t, "POST", "/api/v1/accounts/" + frag.dataset.accountId + "/listings/actions",
           {action: action, listing_ids: ids})
        .then(function (r) {
          watchJob(status, r.job_id, function (job) {
            if (job.status === "finished") { setTimeout(function () { window.location.reload(); }, 1500); }
          });
        })
        .catch(function (err) { status.textContent = err.message; });
    }
    if (t.classList.contains("channel-sync-now")) {
      var box = root(t).querySelector(".channel-job");
      call(t, "POST", "/api/v1/accounts/" + t.dataset.accountId + "/sync")
        .then(function (r) { watchJob(box, r.job_id); })
        .catch(function (err) { box.textContent = err.message; });
    }
    if (t.classList.contains("channel-post")) {
      call(t, "POST", t.dataset.path, {}).then(function () {
        t.textContent = t.dataset.done || "Queued"; t.disabled = true;
        if (t.dataset.reload) { setTimeout(function () { window.location.reload(); }, 1200); }
      })
        .catch(function (err) { t.textContent = err.message; });
    }
    if (t.id === "channel-rule-preview" || t.id === "channel-rule-save") {
      var form = t.closest(".channel-rule-form");
      var out = form.querySelector(".channel-form-result");
      var rule;
      try { rule = JSON.parse(document.getElementById("channel-rule").value || "{}"); }
      catch (e) { say(out, "The rule is not valid JSON: " + e.message, true); return; }
      var base = "/api/v1/accounts/" + form.dataset.accountId + "/rule";
      if (t.id === "channel-rule-preview") {
        call(t, "POST", base + "/preview?bucket=new&limit=10", {rule: rule}).then(function (r) {
          var box = document.getElementById("channel-rule-preview-result");
          box.innerHTML = "";
          var p = document.createElement("p");
          p.className = "channel-preview-counts";
          p.textContent = r.counts.eligible + " eligible, " + r.counts.ineligible + " ineligible, " +
                          r.counts["new"] + " new listings would be created.";
          box.appendChild(p);
          var ul = document.createElement("ul");
          r.items.forEach(function (i) { var li = document.createElement("li"); li.textContent = i.sku + " " + (i.name || ""); ul.appendChild(li); });
          box.appendChild(ul);
          say(out, "Preview ready; nothing saved yet.", false);
        }).catch(function (err) { say(out, err.message, true); });
      } else {
        call(t, "PUT", base, rule).then(function () { say(out, "Rule saved.", false); })
          .catch(function (err) { say(out, err.message, true); });
      }
    }
  });

  /* A new account is active only once Amazon accepted its credentials; a refused one is
     removed again so the merchant can correct and connect anew. */
  function followCheck(el, out, account, next) {
    call(el, "GET", "/api/v1/jobs/" + encodeURIComponent(account.check_job)).then(function (job) {
      if (job.status === "finished" && job.result && job.result.ok) {
        say(out, "Connected: " + job.result.message, false);
        setTimeout(next, 800);
      } else if (job.status === "finished" && job.result) {
        call(el, "DELETE", "/api/v1/accounts/" + account.account_id).catch(function () {});
        say(out, "Not connected: " + job.result.message + " Nothing was saved; correct the values and connect again.",
            true);
      } else if (job.status === "failed") {
        say(out, "The credential check failed: " + (job.error || "see the communication log"), true);
      } else {
        setTimeout(function () { followCheck(el, out, account, next); }, 700);
      }
    }).catch(function (err) { say(out, err.message, true); });
  }

  /* A form's named fields as JSON, "price.adjustment" nested as {price: {adjustment}}. */
  function formData(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) { return; }
      var value = el.type === "checkbox" ? el.checked : el.value;
      if (el.dataset.type === "int") { value = value === "" ? null : parseInt(value, 10); }
      if (value === "" && el.type !== "checkbox") { value = null; }
      var parts = el.name.split("."), target = data;
      while (parts.length > 1) { var k = parts.shift(); target[k] = target[k] || {}; target = target[k]; }
      target[parts[0]] = value;
    });
    return data;
  }

  /* The settings being edited on a sample product: the bridge applies them with the product
     page's traces (nothing is saved) and the steps, price, quantity and condition are shown. */
  var previewTimer = null;
  function previewSettings(form) {
    var box = form.querySelector(".channel-settings-preview");
    if (!box) { return; }
    var sku = box.querySelector("#channel-sample-sku").value.trim();
    var out = box.querySelector(".channel-preview-result");
    var request = {settings: formData(form)};
    if (sku) { request.sku = sku; }
    call(form, "POST", box.dataset.path, request).then(function (r) {
      var list = box.querySelector("#channel-sample-skus");
      if (!list.children.length) {
        (r.samples || []).forEach(function (s) {
          var o = document.createElement("option"); o.value = s.sku; list.appendChild(o);
        });
      }
      box.querySelector(".channel-preview-product").textContent = r.product.sku + (r.product.name ? " · " + r.product.name : "");
      var steps = box.querySelector(".channel-preview-steps");
      steps.textContent = "";
      r.price.steps.concat(r.quantity.steps).forEach(function (s) {
        var li = document.createElement("li");
        li.className = s.applied ? "channel-ok" : "";
        li.dataset.step = s.code;
        li.textContent = s.label + ": " + (s.value === null ? "-" : s.value) + (s.note ? " (" + s.note + ")" : "");
        steps.appendChild(li);
      });
      box.querySelector("#channel-preview-price").textContent = r.price.amount === null ? "none (not sent)" : r.price.amount + " " + r.currency;
      box.querySelector("#channel-preview-qty").textContent = String(r.quantity.amount);
      box.querySelector("#channel-preview-condition").textContent = r.condition || "";
      var business = box.querySelector("#channel-preview-business");
      if (business) { business.textContent = r.business ? r.business.text : ""; }
      say(out, "", false);
    }).catch(function (err) { say(out, err.message, true); });
  }
  function schedulePreview(ev) {
    var form = ev.target.closest && ev.target.closest(".channel-settings-form");
    if (!form || !form.querySelector(".channel-settings-preview")) { return; }
    clearTimeout(previewTimer);
    previewTimer = setTimeout(function () { previewSettings(form); }, 250);
  }
  document.addEventListener("input", schedulePreview);
  document.addEventListener("change", schedulePreview);
  Array.prototype.forEach.call(document.querySelectorAll(".channel-settings-form"), function (form) {
    if (form.querySelector(".channel-settings-preview")) { previewSettings(form); }
  });

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList.contains("channel-json-form")) { return; }
    ev.preventDefault();
    var data = formData(form);
    var out = form.querySelector(".channel-form-result");
    call(form, form.dataset.method, form.dataset.path, data).then(function (r) {
      function next() {
        if (form.dataset.next && r.account_id) {
          window.location.href = form.dataset.next + (form.dataset.next.indexOf("?") >= 0 ? "&" : "?") + "account_id=" + r.account_id;
        }
      }
      if (r.check_job) { say(out, "Checking the credentials with Amazon...", false); followCheck(form, out, r, next); return; }
      say(out, "Saved.", false);
      next();
    }).catch(function (err) { say(out, err.message, true); });
  });

  /* Connect to Amazon: the merchant's choices go to the bridge, the browser to Seller
     Central's consent page; Amazon sends it back to the onboarding page, which follows the
     job exchanging the code, then each new account's credential check. */
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList.contains("channel-connect-form")) { return; }
    ev.preventDefault();
    var out = form.querySelector(".channel-form-result");
    var choice = form.elements.marketplace.value;
    var data = {name: form.elements.name.value, website_id: parseInt(form.elements.website_id.value, 10),
                application_id: form.elements.application_id.value, lwa_client_id: form.elements.lwa_client_id.value,
                lwa_client_secret: form.elements.lwa_client_secret.value, beta: form.elements.beta.checked,
                redirect_uri: form.dataset.redirectUri || (window.location.origin + window.location.pathname)};
    if (choice.length <= 2) { data.region = choice; } else { data.marketplace_id = choice; }
    say(out, "Opening Seller Central...", false);
    call(form, "POST", "/api/v1/connect", data).then(function (r) { window.location.href = r.consent_url; })
      .catch(function (err) { say(out, err.message, true); });
  });

  function followConnect(box) {
    var out = box.querySelector(".channel-form-result");
    var list = box.querySelector(".channel-connect-accounts");
    if (window.history && window.history.replaceState) {  // the code is used up: a reload must not resend it
      window.history.replaceState(null, "", window.location.pathname);
    }
    var stepLine = box.querySelector(".channel-job");
    (function poll() {  // the exchange job's steps, then its outcome
      call(box, "GET", "/api/v1/jobs/" + encodeURIComponent(box.dataset.jobId)).then(function (job) {
        if (job.status === "finished" || job.status === "failed") { stepLine.textContent = ""; connected(job); return; }
        stepLine.textContent = job.step && job.step !== "queued" ? job.step.charAt(0).toUpperCase() + job.step.slice(1) + "..." :
          "Waiting for a worker...";
        setTimeout(poll, 700);
      }).catch(function (err) { say(out, err.message, true); });
    })();
    function connected(job) {
      var r = job.result || {};
      if (job.status !== "finished" || !r.ok) {
        say(out, "Not connected: " + (r.message || job.error || "see the communication log"), true);
        box.dataset.finished = "failed";
        return;
      }
      say(out, r.message, false);
      var pending = r.accounts.length, first = r.accounts[0].account_id;
      function next() {
        pending -= 1;
        if (pending > 0) { return; }
        box.dataset.finished = "connected";
        var url = box.dataset.next;
        window.location.href = url + (url.indexOf("?") >= 0 ? "&" : "?") + "account_id=" + first;
      }
      r.accounts.forEach(function (acc) {
        var li = document.createElement("li");
        var name = document.createElement("strong");
        var msg = document.createElement("span");
        name.textContent = acc.name + ": ";
        msg.className = "channel-form-result";
        li.appendChild(name); li.appendChild(msg); list.appendChild(li);
        say(msg, "Checking the credentials with Amazon...", false);
        if (acc["new"]) { followCheck(box, msg, acc, next); return; }
        (function poll() {  // a re-authorized account is kept whatever the check says
          call(box, "GET", "/api/v1/jobs/" + encodeURIComponent(acc.check_job)).then(function (j) {
            if (j.status === "finished" || j.status === "failed") {
              var res = j.result || {};
              say(msg, (res.ok ? "Re-authorized: " : "Re-authorized, but the check failed: ") +
                  (res.message || j.error || ""), !res.ok);
              if (res.ok) { setTimeout(next, 800); }
            } else { setTimeout(poll, 700); }
          }).catch(function (err) { say(msg, err.message, true); });
        })();
      });
    }
  }

  document.querySelectorAll(".channel-connect-status[data-job-id]").forEach(function (box) {
    if (box.dataset.jobId) { followConnect(box); }
  });

  /* The accounts page's row actions: pause, resume, check credentials, rotate the client
     secret, delete (after an inline confirmation). Results are written into the row. */
  function followAccountCheck(row, jobId, out) {
    call(row, "GET", "/api/v1/jobs/" + encodeURIComponent(jobId)).then(function (job) {
      if (job.status !== "finished" && job.status !== "failed") {
        setTimeout(function () { followAccountCheck(row, jobId, out); }, 700);
        return;
      }
      var r = job.result || {};
      if (job.status === "failed" || r.ok === undefined) {
        say(out, "The credential check failed: " + (job.error || r.error || "see the communication log"), true);
        return;
      }
      row.querySelector(".channel-account-creds").textContent = (r.ok ? "ok: " : "failed: ") + r.message;
      if (r.status) { row.querySelector(".channel-account-status").textContent = r.status; }
      say(out, r.ok ? "Amazon accepted the credentials." : "Not accepted: " + r.message, !r.ok);
    }).catch(function (err) { say(out, err.message, true); });
  }

  function showAccount(row, acc) {
    row.querySelector(".channel-account-status").textContent = acc.read_only ? "read-only" : acc.status;
    row.querySelector(".channel-account-creds").textContent = acc.credential_status +
      (acc.credential_message ? ": " + acc.credential_message : "");
    var toggle = row.querySelector("[data-action=pause], [data-action=resume]");
    if (toggle) {
      var paused = acc.status === "paused";
      toggle.dataset.action = paused ? "resume" : "pause";
      toggle.textContent = paused ? "Resume" : "Pause";
    }
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!t.classList || !t.classList.contains("channel-account-action")) { return; }
    var row = t.closest(".channel-account-row");
    var out = row.querySelector(".channel-account-result");
    var base = "/api/v1/accounts/" + row.dataset.accountId;
    var rotate = row.querySelector(".channel-account-rotate");
    var confirmBox = row.querySelector(".channel-account-confirm");
    var fail = function (err) { say(out, err.message, true); };
    var action = t.dataset.action;
    if (action === "pause" || action === "resume") {
      call(t, "POST", base + "/" + action, {}).then(function (acc) {
        showAccount(row, acc);
        if (acc.check_job) {
          say(out, "Resumed; checking the credentials with Amazon first...", false);
          followAccountCheck(row, acc.check_job, out);
        } else {
          say(out, action === "pause" ? "Paused: nothing is sent to or read from Amazon until you resume." :
              "Resumed: the next sync runs within minutes.", false);
        }
      }).catch(fail);
    } else if (action === "check") {
      say(out, "Checking the credentials with Amazon...", false);
      call(t, "POST", base + "/check", {}).then(function (r) { followAccountCheck(row, r.job_id, out); }).catch(fail);
    } else if (action === "rotate") {
      rotate.hidden = false; confirmBox.hidden = true;
      rotate.querySelector("input").focus();
    } else if (action === "rotate-save") {
      var input = rotate.querySelector("input");
      call(t, "POST", base + "/rotate-secret", {lwa_client_secret: input.value}).then(function (acc) {
        input.value = ""; rotate.hidden = true;
        showAccount(row, acc);
        say(out, "New secret saved; checking it with Amazon...", false);
        return call(t, "POST", base + "/check", {}).then(function (r) { followAccountCheck(row, r.job_id, out); });
      }).catch(fail);
    } else if (action === "delete") {
      confirmBox.hidden = false; rotate.hidden = true;
      confirmBox.querySelector("[data-action=delete-confirm]").focus();
    } else if (action === "delete-confirm") {
      var chosen = confirmBox.querySelector("input[type=radio]:checked");
      if (!chosen) { say(out, "Choose what happens to the listings on Amazon first.", true); return; }
      var removed = function (ended) {
        var tbody = row.parentNode;
        tbody.removeChild(row);
        var note = document.createElement("p");
        note.className = "channel-form-result channel-ok channel-account-deleted";
        note.setAttribute("role", "status");
        note.textContent = "Account " + row.dataset.name + " deleted" + (ended === undefined ?
          "; its listings were left on Amazon." : "; " + ended + " listings ended on Amazon.") +
          " Its orders stay in Orders.";
        tbody.closest("table").parentNode.insertBefore(note, tbody.closest("table"));
      };
      call(t, "DELETE", base + "?listings=" + encodeURIComponent(chosen.value)).then(function (r) {
        if (!r.job_id) { removed(); return; }
        confirmBox.hidden = true;
        say(out, "Ending its listings on Amazon, then deleting...", false);
        (function follow() {
          call(t, "GET", "/api/v1/jobs/" + encodeURIComponent(r.job_id)).then(function (job) {
            if (job.status === "finished" && job.result && job.result.deleted) { removed(job.result.ended); return; }
            if (job.status === "failed") { say(out, "Deleting failed: " + (job.error || "see the communication log"), true); return; }
            setTimeout(follow, 700);
          }).catch(fail);
        })();
      }).catch(fail);
    } else if (action === "cancel") {
      rotate.hidden = true; confirmBox.hidden = true;
      say(out, "", false);
    }
  });

  document.querySelectorAll(".channel-job[data-job-id]").forEach(function (el) {
    if (el.dataset.jobId && el.querySelector("progress")) { watchJob(el, el.dataset.jobId); }
  });

  /* The product page: Send now, the listing actions, an ASIN chosen or assigned, a catalog
     search by keywords, the dry run switch, and Amazon's side read on demand and compared
     with ours (differences marked). */
  function followLookup(el, jobId, done) {
    call(el, "GET", "/api/v1/jobs/" + encodeURIComponent(jobId)).then(function (job) {
      if (job.status === "finished" || job.status === "failed") { done(job); return; }
      setTimeout(function () { followLookup(el, jobId, done); }, 500);
    }).catch(function (err) { done({status: "failed", error: err.message}); });
  }

  function showAmazon(page, r) {
    var table = page.querySelector("#channel-compare");
    var values = {status: r.found ? (r.status || "not buyable") : "not on Amazon", asin: r.asin || "",
                  price: r.price === null || r.price === undefined ? "" : r.price,
                  quantity: r.quantity === null || r.quantity === undefined ? "" : String(r.quantity),
                  issues: String((r.issues || []).length)};
    table.hidden = false;
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (tr) {
      var ours = tr.children[1].textContent.trim(), theirs = values[tr.dataset.field];
      tr.children[2].textContent = theirs;
      var same = ours === theirs || (tr.dataset.field === "price" && ours !== "" && theirs !== "" &&
                                     parseFloat(ours) === parseFloat(theirs));
      tr.classList.toggle("channel-diff", !same);
      tr.dataset.differs = same ? "false" : "true";
    });
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!t.classList || !t.classList.contains("channel-product-action")) { return; }
    var page = t.closest(".channel-product");
    var base = "/api/v1/accounts/" + page.dataset.accountId;
    var lid = parseInt(page.dataset.listingId, 10);
    var out = page.querySelector(".channel-action-result") || page.querySelector("#channel-next .channel-job");
    var fail = function (err) { say(out, err.message, true); };
    var reload = function () { setTimeout(function () { window.location.reload(); }, 600); };
    var action = t.dataset.action;
    if (action === "sync" || action === "publish" || action === "end" || action === "relist") {
      var box = action === "sync" ? page.querySelector("#channel-next .channel-job") : out;
      call(t, "POST", base + "/listings/actions", {action: action, listing_ids: [lid]})
        .then(function (r) { watchJob(box, r.job_id, function (job) { if (job.status === "finished") { reload(); } }); })
        .catch(fail);
    } else if (action === "fetch") {
      var status = page.querySelector(".channel-fetch-status");
      status.textContent = "Asking Amazon...";
      call(t, "POST", base + "/products/" + page.dataset.productId + "/amazon", {}).then(function (r) {
        status.textContent = "Queued: a worker asks Amazon...";
        followLookup(t, r.job_id, function (job) {
          var res = job.result || {};
          if (job.status !== "finished" || res.error) {
            status.textContent = "Amazon could not be read: " + (res.error || job.error || "see the communication log");
            return;
          }
          status.textContent = res.found ? "As Amazon holds it now:" : "Amazon does not hold this SKU.";
          showAmazon(page, res);
        });
      }).catch(function (err) { status.textContent = err.message; });
    } else if (action === "asin" || action === "asin-typed") {
      var asin = action === "asin" ? t.dataset.asin : page.querySelector(".channel-asin-form [name=asin]").value;
      call(t, "POST", base + "/listings/" + lid + "/asin", {asin: asin})
        .then(function (r) { say(out, "ASIN " + r.asin + " assigned.", false); reload(); }).catch(fail);
    } else if (action === "unlink") {
      call(t, "POST", base + "/listings/" + lid + "/unlink", {})
        .then(function () { say(out, "Unlinked: matched again at the next cycle.", false); reload(); }).catch(fail);
    } else if (action === "catalog") {
      var list = page.querySelector("#channel-catalog-results");
      var words = page.querySelector(".channel-asin-form [name=keywords]").value;
      say(out, "Searching Amazon's catalog...", false);
      call(t, "POST", base + "/catalog/search", {keywords: words}).then(function (r) {
        followLookup(t, r.job_id, function (job) {
          var res = job.result || {};
          list.innerHTML = "";
          if (job.status !== "finished" || res.error) { say(out, res.error || job.error || "search failed", true); return; }
          say(out, res.items.length + " found.", false);
          res.items.forEach(function (item) {
            var li = document.createElement("li"), b = document.createElement("button");
            li.textContent = item.asin + " " + (item.title || "") + (item.brand ? " (" + item.brand + ")" : "") + " ";
            b.type = "button"; b.className = "action-secondary channel-product-action";
            b.dataset.action = "asin"; b.dataset.asin = item.asin; b.textContent = "Choose";
            li.appendChild(b); list.appendChild(li);
          });
        });
      }).catch(fail);
    } else if (action === "dry-run") {
      call(t, "POST", base + "/dry-run", {enabled: t.dataset.enabled === "true"}).then(reload).catch(fail);
    }
  });

  /* The settings page's notifications section: on/off with the SQS queue, subscribe now and
     unsubscribe (the notifications worker carries them out with Amazon), and the status of
     each notification type kept current from GET .../notifications, the fallback alert with it. */
  var NOTIFICATION_STATUS = {off: "Off: the account is read by its cycle only.",
                             pending: "Being set up with Amazon...",
                             live: "On: Amazon's events arrive in seconds.",
                             fallback: "Events stopped: the account is read by its cycle until they flow again."};
  var NUMBER_WORDS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

  function utcClock(iso) {
    if (!iso) { return "never"; }
    var today = new Date().toISOString().slice(0, 10);
    return (iso.slice(0, 10) === today ? "" : iso.slice(0, 10) + " ") + iso.slice(11, 16) + " UTC";
  }

  function everyWords(seconds) {
    if (seconds % 60) { return seconds + " seconds"; }
    var m = seconds / 60;
    if (m === 1) { return "minute"; }
    if (m % 60 === 0 && m >= 120) { return (NUMBER_WORDS[m / 60] || String(m / 60)) + " hours"; }
    return (NUMBER_WORDS[m] || String(m)) + " minutes";
  }

  function showNotifications(box, n) {
    function field(scope, name, text, title) {
      var el = scope.querySelector('[data-field="' + name + '"]');
      if (el) { el.textContent = text; if (title !== undefined) { el.title = title || ""; } }
    }
    box.dataset.status = n.status;
    var status = box.querySelector('[data-field="status"]');
    status.dataset.status = n.status;
    field(box, "status", NOTIFICATION_STATUS[n.status] || n.status);
    field(box, "status_message", n.status_message || "");
    box.querySelector(".channel-notifications-stalled").hidden = !(n.pending_for > 120);
    ["last_event_at", "last_poll_at", "checked_at"].forEach(function (k) {
      field(box.querySelector(".channel-notifications-status"), k, utcClock(n[k]), n[k]);
    });
    (n.types || []).forEach(function (t) {
      var row = box.querySelector('tr[data-type="' + t.notification_type + '"]');
      if (!row) { return; }
      field(row, "subscription_id", t.subscription_id ? "Yes" : "No", t.subscription_id);
      field(row, "destination_id", t.destination_id || "-");
      field(row, "last_event_at", utcClock(t.last_event_at), t.last_event_at);
      field(row, "applied_last_hour", String(t.applied_last_hour));
      field(row, "received_last_hour", String(t.received_last_hour));
    });
    var alert = box.querySelector(".channel-notifications-fallback"), fb = n.fallback;
    alert.hidden = !fb;
    if (fb) {
      field(alert, "fallback-since", utcClock(fb.since));
      field(alert, "fallback-every", everyWords(fb.polling_every));
      field(alert, "fallback-reason", fb.reason || "");
      field(alert, "fallback-action", (fb.alert && fb.alert.action) || "");
    }
    var form = box.querySelector(".channel-notifications-form");
    if (form) {
      form.querySelector('[data-action="subscribe"]').disabled = !n.queue_arn;
      form.querySelector('[data-action="unsubscribe"]').disabled = !n.enabled;
      if (document.activeElement === null || !form.contains(document.activeElement)) {
        form.elements.enabled.checked = n.enabled;
      }
    }
  }

  function followNotifications(box) {
    clearTimeout(box.channelTimer);
    call(box, "GET", box.dataset.path).then(function (n) {
      showNotifications(box, n);
      box.channelTimer = setTimeout(function () { followNotifications(box); }, n.status === "pending" ? 1000 : 5000);
    }).catch(function () {
      box.channelTimer = setTimeout(function () { followNotifications(box); }, 15000);
    });
  }

  function setNotifications(box, data) {
    var out = box.querySelector(".channel-notifications-form .channel-form-result");
    say(out, data.enabled ? "Subscribing with Amazon..." : "Unsubscribing from Amazon...", false);
    call(box, "PUT", box.dataset.path, data).then(function (n) {
      say(out, "Saved: the notifications worker is " + (data.enabled ? "subscribing" : "unsubscribing") + ".", false);
      showNotifications(box, n);
      followNotifications(box);
    }).catch(function (err) { say(out, err.message, true); });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList.contains("channel-notifications-form")) { return; }
    ev.preventDefault();
    setNotifications(form.closest(".channel-notifications"), {
      enabled: form.elements.enabled.checked, queue_arn: form.elements.queue_arn.value.trim() || null,
      queue_url: form.elements.queue_url.value.trim() || null});
  });

  document.addEventListener("click", function (ev) {
    var t = ev.target.closest && ev.target.closest(".channel-notifications-action");
    if (!t) { return; }
    var box = t.closest(".channel-notifications");
    setNotifications(box, {enabled: t.dataset.action === "subscribe"});
  });

  document.querySelectorAll(".channel-notifications[data-path]").forEach(function (box) {
    box.channelTimer = setTimeout(function () { followNotifications(box); }, box.dataset.status === "pending" ? 1000 : 5000);
  });

  /* The settings page's repricing section: the account's rule from its fields, the groups
     as rows (each a name, a condition in the listing rules' builder and a rule of the same
     fields), sent with PUT .../repricing; a refusal names its place and the field it belongs
     to is marked. The groups' JSON (the advanced view) follows every edit of the rows and
     redraws them when edited itself. "Turn repricing off" sends no rule. */
  var RULE_FIELDS = {beat_by: "beat_value", floor: "floor_value", ceiling: "ceiling_value"};

  function repricingRule(field) {
    function bound(name) {
      var type = field(name + "_type").value, value = field(name + "_value").value.trim();
      return type ? {type: type, value: value} : null;
    }
    var beatType = field("beat_type").value;
    return {enabled: field("enabled").checked, strategy: field("strategy").value,
            beat_by: beatType ? {type: beatType, value: field("beat_value").value.trim()} : null,
            fulfilment: field("fulfilment").value, floor: bound("floor"), ceiling: bound("ceiling"),
            no_competitor: field("no_competitor").value, below_floor: field("below_floor").value};
  }

  function repricingBody(form) {
    var groups;
    try {
      groups = JSON.parse(form.elements.groups.value.trim() || "[]");
    } catch (e) {
      throw new Error("groups: the rules per group are not valid JSON (" + e.message + ")");
    }
    return {rule: repricingRule(function (name) { return form.elements[name]; }),
            groups: groups, competition_source: form.elements.competition_source.value};
  }

  function emptyCondition() { return {type: "combine", aggregator: "all", value: true, conditions: []}; }

  function groupsChanged(form) {
    form.elements.groups.value = JSON.stringify(form.channelGroups, null, 2);
  }

  /* A select of the row with the options of the account rule's select of that name. */
  function groupSelect(form, name, id, value) {
    var select = document.createElement("select");
    select.className = "admin__control-select";
    select.id = id;
    select.dataset.groupField = name;
    Array.prototype.forEach.call(form.elements[name].options, function (o) {
      var copy = new Option(o.textContent, o.value);
      copy.selected = o.value === (value === null || value === undefined ? "" : String(value));
      select.appendChild(copy);
    });
    return select;
  }

  function groupInput(name, id, value, label) {
    var input = document.createElement("input");
    input.className = "admin__control-text";
    input.id = id;
    input.dataset.groupField = name;
    input.value = value === null || value === undefined ? "" : value;
    if (label) { input.setAttribute("aria-label", label); }
    return input;
  }

  function groupField(labelText, id, controls) {
    var div = document.createElement("div"), label = document.createElement("label");
    div.className = "admin__field";
    label.className = "admin__field-label";
    label.htmlFor = id;
    label.textContent = labelText;
    div.appendChild(label);
    controls.forEach(function (c) { div.appendChild(c); });
    return div;
  }

  function groupButton(action, text, label, disabled) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "action-secondary channel-repricing-group-" + action;
    b.dataset.groupAction = action;
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.disabled = !!disabled;
    return b;
  }

  function groupRow(form, g, i, count) {
    var rule = g.rule || {}, id = "rp-g" + i + "-", n = i + 1;
    var li = document.createElement("li");
    li.className = "channel-repricing-group";
    li.dataset.index = i;
    var head = document.createElement("div");
    head.className = "channel-repricing-group-head";
    head.appendChild(groupField("Group " + n + " name", id + "name", [groupInput("name", id + "name", g.name)]));
    head.appendChild(groupButton("up", "\u2191 Up", "Move group " + n + " up", i === 0));
    head.appendChild(groupButton("down", "\u2193 Down", "Move group " + n + " down", i === count - 1));
    head.appendChild(groupButton("remove", "Remove", "Remove group " + n));
    li.appendChild(head);
    var cond = document.createElement("div");
    cond.className = "admin__field channel-repricing-condition-field";
    var condLabel = document.createElement("span");
    condLabel.className = "admin__field-label";
    condLabel.textContent = "Products it takes";
    var box = document.createElement("div");
    box.className = "channel-repricing-condition";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Group " + n + " condition");
    cond.appendChild(condLabel);
    cond.appendChild(box);
    li.appendChild(cond);
    var enabled = document.createElement("input");
    enabled.type = "checkbox";
    enabled.id = id + "enabled";
    enabled.dataset.groupField = "enabled";
    enabled.checked = rule.enabled !== false;
    var enabledLabel = document.createElement("label");
    enabledLabel.appendChild(enabled);
    enabledLabel.appendChild(document.createTextNode(" Reprice this group's offers"));
    var enabledField = document.createElement("div");
    enabledField.className = "admin__field";
    enabledField.appendChild(enabledLabel);
    li.appendChild(enabledField);
    li.appendChild(groupField("Strategy", id + "strategy", [groupSelect(form, "strategy", id + "strategy", rule.strategy)]));
    li.appendChild(groupField("Undercut by", id + "beat_type", [
      groupSelect(form, "beat_type", id + "beat_type", rule.beat_by ? rule.beat_by.type : ""),
      groupInput("beat_value", id + "beat_value", rule.beat_by ? rule.beat_by.value : "", "Group " + n + " undercut value")]));
    li.appendChild(groupField("Fulfilment type", id + "fulfilment", [groupSelect(form, "fulfilment", id + "fulfilment", rule.fulfilment || "FBA")]));
    ["floor", "ceiling"].forEach(function (bound) {
      var b = rule[bound] || {};
      li.appendChild(groupField(bound.charAt(0).toUpperCase() + bound.slice(1), id + bound + "_type", [
        groupSelect(form, bound + "_type", id + bound + "_type", b.type || ""),
        groupInput(bound + "_value", id + bound + "_value", b.value, "Group " + n + " " + bound + " value")]));
    });
    li.appendChild(groupField("No competitor", id + "no_competitor", [groupSelect(form, "no_competitor", id + "no_competitor", rule.no_competitor || "price_source")]));
    li.appendChild(groupField("Competition below the floor", id + "below_floor", [groupSelect(form, "below_floor", id + "below_floor", rule.below_floor || "floor")]));
    if (window.ChannelRuleBuilder) {
      window.ChannelRuleBuilder.mount(box, g.condition, function () { groupsChanged(form); });
    } else {
      box.textContent = "The condition builder did not load: edit the condition in the JSON below.";
    }
    return li;
  }

  function renderGroups(form) {
    var list = form.querySelector(".channel-repricing-group-list");
    if (!list) { return; }
    var groups = form.channelGroups;
    groups.forEach(function (g) {
      if (!g.condition || typeof g.condition !== "object" || Array.isArray(g.condition)) { g.condition = emptyCondition(); }
    });
    list.innerHTML = "";
    groups.forEach(function (g, i) { list.appendChild(groupRow(form, g, i, groups.length)); });
    form.querySelector(".channel-repricing-groups-empty").hidden = groups.length > 0;
  }

  /* The rows from the JSON when it holds a list of objects (anything else: the rows stay). */
  function groupsFromJson(form) {
    var parsed;
    try { parsed = JSON.parse(form.elements.groups.value.trim() || "[]"); } catch (e) { return false; }
    if (!Array.isArray(parsed) || parsed.some(function (g) { return !g || typeof g !== "object" || Array.isArray(g); })) {
      return false;
    }
    form.channelGroups = parsed;
    renderGroups(form);
    return true;
  }

  function groupFromRow(form, li) {
    var g = form.channelGroups[Number(li.dataset.index)];
    g.name = li.querySelector('[data-group-field="name"]').value;
    g.rule = repricingRule(function (name) { return li.querySelector('[data-group-field="' + name + '"]'); });
    groupsChanged(form);
  }

  /* The control a refused group's path names: its name, a field of its rule, or a condition of
     its tree (conditions[0].conditions[1].operator walks the builder's nested lists). */
  function groupControl(form, index, rest) {
    var li = form.querySelector('.channel-repricing-group[data-index="' + index + '"]');
    if (!li) { return null; }
    var parts = rest.split("."), field;
    if (parts[0] === "name") { return li.querySelector('[data-group-field="name"]'); }
    if (parts[0] === "rule") {
      field = RULE_FIELDS[parts[1]] || parts[1];
      return (field && li.querySelector('[data-group-field="' + field + '"]')) || li;
    }
    if (parts[0] !== "condition") { return li; }
    var box = li.querySelector(".channel-repricing-condition");
    var el = box.querySelector(".channel-rule-tree > li");
    for (var k = 1; el && k < parts.length; k++) {
      var m = /^conditions\[(\d+)\]$/.exec(parts[k]);
      if (m) {
        el = el.querySelector(":scope > .channel-rule-conditions > li:nth-child(" + (Number(m[1]) + 1) + ")");
      } else {
        var control = el.querySelector(":scope > .channel-rule-" + (parts[k] === "value" ? "value" : "operator"));
        return control || el;
      }
    }
    return el || box;
  }

  function repricingInvalid(form, path) {
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) {
      el.removeAttribute("aria-invalid");
    });
    if (!path) { return; }
    var marked = [];
    var group = /^groups\[(\d+)\]\.?(.*)$/.exec(path);
    if (group) {
      marked.push(form.elements.groups);
      marked.push(groupControl(form, group[1], group[2]));
    } else {
      var head = path.split(".")[0], field = path.split(".")[1];
      marked.push(form.elements[head === "rule" ? (RULE_FIELDS[field] || field) : head]);
    }
    if (path === "groups") { form.querySelector(".channel-repricing-advanced").open = true; }  // the JSON itself is wrong
    marked.forEach(function (el) { if (el && el.setAttribute) { el.setAttribute("aria-invalid", "true"); } });
  }

  function saveRepricing(box, body) {
    var form = box.querySelector(".channel-repricing-form"), out = form.querySelector(".channel-form-result");
    call(box, "PUT", box.dataset.path, body).then(function (r) {
      repricingInvalid(form, null);
      form.querySelector(".channel-repricing-off").disabled = !r.rule;
      form.elements.groups.value = JSON.stringify(r.groups, null, 2);
      groupsFromJson(form);
      say(out, r.rule ? "Saved: the next scheduled run and every competitor's change use it." :
        "Repricing is off: the price rule's prices go out with the next price push.", false);
    }).catch(function (err) {
      repricingInvalid(form, err.details && err.details.path);
      say(out, err.message, true);
    });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList.contains("channel-repricing-form")) { return; }
    ev.preventDefault();
    var body;
    try {
      body = repricingBody(form);
    } catch (e) {
      repricingInvalid(form, "groups");
      say(form.querySelector(".channel-form-result"), e.message, true);
      return;
    }
    saveRepricing(form.closest(".channel-repricing"), body);
  });

  document.addEventListener("click", function (ev) {
    var t = ev.target.closest && ev.target.closest(".channel-repricing-off");
    if (!t) { return; }
    saveRepricing(t.closest(".channel-repricing"), {rule: null});
  });

  document.addEventListener("click", function (ev) {
    var t = ev.target.closest && ev.target.closest(".channel-repricing-group-add, .channel-repricing-group [data-group-action]");
    if (!t) { return; }
    var form = t.closest(".channel-repricing-form"), groups = form.channelGroups, to = -1;
    if (t.classList.contains("channel-repricing-group-add")) {
      var rule = repricingRule(function (name) { return form.elements[name]; });
      rule.enabled = true;
      groups.push({name: "Group " + (groups.length + 1), condition: emptyCondition(), rule: rule});
    } else {
      var i = Number(t.closest(".channel-repricing-group").dataset.index);
      to = {up: i - 1, down: i + 1}[t.dataset.groupAction];
      if (t.dataset.groupAction === "remove") {
        groups.splice(i, 1);
      } else if (to >= 0 && to < groups.length) {
        groups.splice(to, 0, groups.splice(i, 1)[0]);
      }
    }
    renderGroups(form);
    groupsChanged(form);
    // Focus stays with the group acted on: the new group's name, or the moved group's button.
    var rows = form.querySelectorAll(".channel-repricing-group"), action = t.dataset.groupAction;
    if (!action && rows.length) {
      rows[rows.length - 1].querySelector('[data-group-field="name"]').focus();
    } else if (action !== "remove" && rows[to]) {
      var same = rows[to].querySelector('[data-group-action="' + action + '"]');
      (same.disabled ? rows[to].querySelector('[data-group-field="name"]') : same).focus();
    }
  });

  function repricingEdited(ev) {
    var form = ev.target.closest && ev.target.closest(".channel-repricing-form");
    if (!form) { return; }
    if (ev.target === form.elements.groups) {
      if (ev.type === "input") { groupsFromJson(form); }
      return;
    }
    var li = ev.target.closest(".channel-repricing-group");
    if (li && ev.target.dataset.groupField) { groupFromRow(form, li); }
  }
  document.addEventListener("input", repricingEdited);
  document.addEventListener("change", repricingEdited);

  /* The rows are drawn once every script of the page ran (the rule builder loads after this one). */
  function drawRepricingGroups() {
    document.querySelectorAll(".channel-repricing-form").forEach(function (form) {
      form.channelGroups = [];
      if (!groupsFromJson(form)) { renderGroups(form); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawRepricingGroups);
  } else {
    setTimeout(drawRepricingGroups, 0);
  }

  // Selects that reload their form (no inline handlers: the pages' policy allows no inline script).
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("select[data-autosubmit]") && ev.target.form) {
      ev.target.form.submit();
    }
  });

  /* Every handler above is bound: buttons take clicks from now on (the standalone styles keep
     them inert until then, so a click that lands before the script ran is not lost). */
  function ready() { document.documentElement.setAttribute("data-channel-ready", ""); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
