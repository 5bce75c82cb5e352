/* The new-ASIN page: product type search (a worker job, followed until done), the attribute
   mapping rows (Magento attribute, fixed value or template; for an Amazon attribute with a
   list of allowed values, each option label of the Magento attribute mapped to one of them),
   save with validation counts, and "Create on Amazon" for the product the page was opened for. */
(function () {
  "use strict";

  function frag() { return document.querySelector(".channel-new-asin"); }

  /* The bridge calls and messages of channel.js (loaded on every page): the same form key,
     CSRF token and error reading. */
  function call(method, path, body) { return window.ChannelAmazon.call(frag(), method, path, body); }
  function say(el, text, bad) { window.ChannelAmazon.say(el, text, bad); }

  function account() { return frag().dataset.accountId; }
  function typePath(type) { return "/api/v1/accounts/" + account() + "/product-types/" + encodeURIComponent(type); }

  var state = {type: null, magento: [], options: {}};

  function option(select, value, label, selected) {
    var o = document.createElement("option");
    o.value = value; o.textContent = label; o.selected = !!selected;
    select.appendChild(o);
  }

  /* The value map of an enum member read from a select attribute: one line per option label
     of the Magento attribute, each with the Amazon values to choose from. */
  function valueMap(cell, member, code, saved) {
    var old = cell.querySelector(".channel-value-map");
    if (old) { cell.removeChild(old); }
    var labels = state.options[code] || [];
    if (!member || !member.enum || !member.enum.length || !labels.length) { return; }
    var table = document.createElement("table");
    table.className = "channel-value-map";
    var caption = document.createElement("caption");
    caption.textContent = "Amazon value of each Magento option (labels Amazon knows need none)";
    table.appendChild(caption);
    var body = document.createElement("tbody");
    labels.forEach(function (label) {
      var tr = document.createElement("tr");
      tr.className = "channel-value-map-row";
      tr.dataset.label = label;
      var th = document.createElement("th");
      th.textContent = label;
      var td = document.createElement("td");
      var select = document.createElement("select");
      select.className = "admin__control-select channel-value-map-value";
      select.setAttribute("aria-label", "Amazon value for " + label);
      option(select, "", "Same as in Magento");
      member.enum.forEach(function (v, i) {
        option(select, v, (member.enum_names && member.enum_names[i]) || v, !!saved && saved[label] === v);
      });
      td.appendChild(select);
      tr.appendChild(th); tr.appendChild(td);
      body.appendChild(tr);
    });
    table.appendChild(body);
    cell.appendChild(table);
  }

  function mapOf(tr) {
    var out = {};
    Array.prototype.forEach.call(tr.querySelectorAll("tr.channel-value-map-row"), function (line) {
      var value = line.querySelector(".channel-value-map-value").value;
      if (value) { out[line.dataset.label] = value; }
    });
    return out;
  }

  function valueInput(cell, source, member, value, savedMap) {
    cell.textContent = "";
    var input;
    if (source === "attribute") {
      input = document.createElement("select");
      input.className = "admin__control-select channel-map-value";
      option(input, "", "Choose a Magento attribute");
      state.magento.forEach(function (code) { option(input, code, code, code === value); });
      input.addEventListener("change", function () { valueMap(cell, member, input.value, null); });
      cell.appendChild(input);
      valueMap(cell, member, value, savedMap);
      return;
    } else if (source === "fixed" && member && member.enum && member.enum.length) {
      input = document.createElement("select");
      input.className = "admin__control-select channel-map-value";
      option(input, "", "Choose a value");
      member.enum.forEach(function (v, i) {
        option(input, v, (member.enum_names && member.enum_names[i]) || v, v === value);
      });
    } else {
      input = document.createElement("input");
      input.type = "text";
      input.className = "admin__control-text channel-map-value";
      input.value = value || "";
      if (source === "template") { input.placeholder = "{{manufacturer}} {{name}} - {{color}}"; }
    }
    cell.appendChild(input);
  }

  function row(tbody, attr, member, saved) {
    var target = member && attr.members.length > 1 ? attr.name + "." + member.name : attr.name;
    var tr = document.createElement("tr");
    tr.className = "channel-map-row";
    tr.dataset.target = target;
    var name = document.createElement("td");
    name.textContent = attr.title + (member && attr.members.length > 1 ? " (" + member.name + ")" : "");
    var code = document.createElement("code");
    code.textContent = " " + target;
    name.appendChild(code);
    if (attr.required) {
      var req = document.createElement("em");
      req.textContent = attr.required === "required" ? " required" : " required for some products";
      name.appendChild(req);
    }
    var how = document.createElement("td"), what = document.createElement("td");
    var select = document.createElement("select");
    select.className = "admin__control-select channel-map-source";
    [["", "Not sent"], ["attribute", "Magento attribute"], ["fixed", "Fixed value"], ["template", "Template"]]
      .forEach(function (p) { option(select, p[0], p[1], p[0] === ((saved && saved.source) || "")); });
    select.addEventListener("change", function () { valueInput(what, select.value, member, ""); });
    how.appendChild(select);
    valueInput(what, (saved && saved.source) || "", member, saved && saved.value, saved && saved.value_map);
    tr.appendChild(name); tr.appendChild(how); tr.appendChild(what);
    tbody.appendChild(tr);
  }

  function showValidation(v) {
    var el = frag().querySelector(".channel-pt-validation");
    var missing = Object.keys(v.by_attribute || {}).map(function (k) { return k + " (" + v.by_attribute[k] + ")"; });
    say(el, v.products + " products chosen for this product type: " + v.valid + " ready, " + v.invalid +
        " with attributes to fill" + (missing.length ? ": " + missing.join(", ") : "") + ".", v.invalid > 0);
  }

  function load(type) {
    state.type = type;
    var section = frag().querySelector("#channel-pt-mapping");
    if (!type) { section.hidden = true; return; }
    call("GET", typePath(type)).then(function (data) {
      state.magento = data.magento_attributes;
      state.options = data.magento_options || {};
      var saved = {};
      data.mapping.forEach(function (m) { saved[m.amazon_attribute] = m; });
      var tbody = section.querySelector("tbody");
      tbody.textContent = "";
      data.attributes.forEach(function (attr) {
        var members = attr.members.length ? attr.members : [null];
        members.forEach(function (member) {
          var target = member && attr.members.length > 1 ? attr.name + "." + member.name : attr.name;
          row(tbody, attr, member, saved[target]);
        });
      });
      section.querySelector(".channel-pt-suggested").hidden = !data.suggested;
      section.hidden = false;
      showValidation(data.validation);
    }).catch(function (err) { say(frag().querySelector(".channel-pt-status"), err.message, true); });
  }

  function follow(jobId, status) {
    call("GET", "/api/v1/jobs/" + encodeURIComponent(jobId)).then(function (job) {
      if (job.status === "finished") {
        var found = (job.result && job.result.product_types) || [];
        var select = frag().querySelector("#channel-pt-select");
        found.forEach(function (t) {
          if (!select.querySelector('option[value="' + t.name + '"]')) { option(select, t.name, t.display_name + " (" + t.name + ")"); }
        });
        say(status, found.length ? "Found " + found.map(function (t) { return t.name; }).join(", ") + "."
                                 : "No product type matches.", !found.length);
        if (found.length) { select.value = found[0].name; load(found[0].name); }
        return;
      }
      if (job.status === "failed") { say(status, job.error || "The search failed.", true); return; }
      setTimeout(function () { follow(jobId, status); }, 500);
    }).catch(function (err) { say(status, err.message, true); });
  }

  document.addEventListener("click", function (ev) {
    var root = frag();
    if (!root) { return; }
    var t = ev.target;
    if (t.id === "channel-pt-search-button") {
      var status = root.querySelector(".channel-pt-status");
      say(status, "Searching Amazon's product types...");
      call("POST", "/api/v1/accounts/" + account() + "/product-types/search",
           {keywords: root.querySelector("#channel-pt-keywords").value})
        .then(function (r) { follow(r.job_id, status); })
        .catch(function (err) { say(status, err.message, true); });
    } else if (t.id === "channel-pt-save" && state.type) {
      var rows = Array.prototype.map.call(root.querySelectorAll("tr.channel-map-row"), function (tr) {
        return {amazon_attribute: tr.dataset.target, source: tr.querySelector(".channel-map-source").value,
                value: tr.querySelector(".channel-map-value").value, value_map: mapOf(tr)};
      }).filter(function (r) { return r.source && r.value; });
      var saved = root.querySelector(".channel-pt-saved");
      call("PUT", typePath(state.type) + "/mapping", {rows: rows}).then(function (r) {
        say(saved, "Saved " + r.saved + " mapped attributes.");
        showValidation(r.validation);
      }).catch(function (err) { say(saved, err.message, true); });
    } else if (t.id === "channel-pt-create-button") {
      var created = root.querySelector(".channel-pt-created");
      if (!state.type) { say(created, "Choose a product type first.", true); return; }
      call("POST", "/api/v1/accounts/" + account() + "/new-asins",
           {product_ids: [parseInt(t.dataset.productId, 10)], product_type: state.type})
        .then(function (r) { say(created, "Queued for Amazon (job " + r.job_id + ")."); })
        .catch(function (err) { say(created, err.message, true); });
    }
  });

  document.addEventListener("change", function (ev) {
    if (ev.target.id === "channel-pt-select") { load(ev.target.value); }
  });
}());
