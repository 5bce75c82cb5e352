/* The listing-rule builder: Magento's cart-price-rule conditions as a tree of ALL/ANY groups,
   each condition an attribute or product fact of this Magento, an operator that fits its type
   and a value (from the attribute's options where it has them). Every change is written into
   the JSON textarea (#channel-rule, the advanced view the Preview and Save buttons read) and
   asks the preview endpoint for the counts; editing the JSON redraws the tree. Other pages
   mount the same builder on a condition of their own (window.ChannelRuleBuilder.mount): it
   edits that object in place and calls back on every change, without counts or textarea. */
(function () {
  "use strict";

  var EXTRA_OPERATORS = {within: "is within the dates", outside: "is outside the dates"};
  var LISTS = ["()", "!()"];

  function fragment(el) { return el.closest(".channel-fragment"); }

  function request(el, method, path, body) {
    var base = (fragment(el) && fragment(el).dataset.apiBase) || "";
    var url = base.indexOf("__PATH__") >= 0 ? base.replace("__PATH__", encodeURIComponent(path)) : base + path;
    var formKey = fragment(el) && fragment(el).dataset.formKey;
    if (formKey && url.indexOf("form_key=") < 0) {
      url += (url.indexOf("?") >= 0 ? "&" : "?") + "form_key=" + encodeURIComponent(formKey) + "&isAjax=true";
    }
    var headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "X-Requested-With": "XMLHttpRequest"};
    var csrf = document.querySelector('meta[name="channel-csrf"]');
    if (csrf && csrf.content) { headers["X-CSRF-Token"] = csrf.content; }
    return fetch(url, {method: method, credentials: "same-origin", headers: headers,
                       body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (resp) {
        return resp.text().then(function (text) {
          var data = text ? JSON.parse(text) : {};
          if (!resp.ok) { throw new Error((data.error && data.error.message) || ("HTTP " + resp.status)); }
          return data;
        });
      });
  }

  function node(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  function option(select, value, label, selected) {
    var o = node("option", {value: value}, label);
    if (selected) { o.selected = true; }
    select.appendChild(o);
    return o;
  }

  function Builder(box, options) {
    options = options || {};
    this.box = box;
    this.form = box.closest(".channel-rule-form");
    this.textarea = this.form && this.form.querySelector("#channel-rule");
    this.counts = this.form && this.form.querySelector(".channel-rule-counts");
    this.initial = options.rule || null;
    this.onChange = options.onChange || null;
    this.timer = null;
    this.seq = 0;
  }

  /* The catalog's attributes and facts, asked once per page however many builders it holds. */
  var metaRequests = {};
  function attributesOf(box) {
    var key = (fragment(box) && fragment(box).dataset.apiBase) || "";
    if (!metaRequests[key]) {
      metaRequests[key] = request(box, "GET", "/api/v1/attributes");
      metaRequests[key].catch(function () { delete metaRequests[key]; });
    }
    return metaRequests[key];
  }

  function normalised(raw) {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) { return null; }
    raw.type = raw.type || "combine";
    raw.aggregator = raw.aggregator || "all";
    raw.value = raw.value === undefined ? true : raw.value;
    raw.conditions = raw.conditions || [];
    return raw.type === "combine" ? raw : null;
  }

  Builder.prototype.start = function () {
    var self = this;
    attributesOf(this.box).then(function (meta) {
      self.meta = meta;
      self.operators = Object.assign({}, meta.operators, EXTRA_OPERATORS);
      self.attributes = {};
      meta.attributes.forEach(function (a) { self.attributes[a.code] = a; });
      self.facts = {};
      meta.facts.forEach(function (f) { self.facts[f.type] = f; });
      self.rule = (self.initial ? normalised(self.initial) : self.parse()) ||
        {type: "combine", aggregator: "all", value: true, conditions: []};
      self.render();
      if (self.counts) { self.refreshCounts(); }
      if (!self.textarea) { return; }
      self.textarea.addEventListener("input", function () {
        var parsed = self.parse();
        if (parsed) { self.rule = parsed; self.render(); self.scheduleCounts(); }
      });
    }).catch(function (err) { self.box.textContent = "The condition builder could not load: " + err.message; });
  };

  Builder.prototype.parse = function () {
    if (!this.textarea) { return null; }
    try {
      return normalised(JSON.parse(this.textarea.value || "{}"));
    } catch (e) { return null; }
  };

  Builder.prototype.describe = function (leaf) {
    if (leaf.type === "attribute") {
      return this.attributes[leaf.attribute] ||
        {label: String(leaf.attribute), value_type: "string", operators: Object.keys(this.meta.operators)};
    }
    return this.facts[leaf.type] || {label: leaf.type, value_type: "string", operators: Object.keys(this.operators)};
  };

  Builder.prototype.changed = function () {
    if (this.textarea) { this.textarea.value = JSON.stringify(this.rule, null, 2); }
    if (this.onChange) { this.onChange(this.rule); }
    if (this.counts) { this.scheduleCounts(); }
  };

  Builder.prototype.render = function () {
    this.box.innerHTML = "";
    var tree = node("ul", {"class": "rule-tree channel-rule-tree"});
    tree.appendChild(this.group(this.rule, null));
    this.box.appendChild(tree);
  };

  Builder.prototype.group = function (group, parent) {
    var self = this;
    var li = node("li", {"class": "channel-rule-group"});
    var head = node("div", {"class": "channel-rule-head"});
    head.appendChild(document.createTextNode("If "));
    var agg = node("select", {"class": "admin__control-select channel-rule-aggregator", "aria-label": "All or any"});
    option(agg, "all", "ALL", group.aggregator === "all");
    option(agg, "any", "ANY", group.aggregator === "any");
    agg.addEventListener("change", function () { group.aggregator = agg.value; self.changed(); });
    head.appendChild(agg);
    head.appendChild(document.createTextNode(" of these conditions are "));
    var val = node("select", {"class": "admin__control-select channel-rule-truth", "aria-label": "True or false"});
    option(val, "true", "TRUE", group.value !== false && group.value !== 0 && group.value !== "0");
    option(val, "false", "FALSE", group.value === false || group.value === 0 || group.value === "0");
    val.addEventListener("change", function () { group.value = val.value === "true"; self.changed(); });
    head.appendChild(val);
    head.appendChild(document.createTextNode(":"));
    if (parent) { head.appendChild(this.removeButton(parent, group)); }
    li.appendChild(head);
    var children = node("ul", {"class": "rule-param-children channel-rule-conditions"});
    group.conditions.forEach(function (child) {
      children.appendChild((child.type || "combine") === "combine" ? self.group(child, group) : self.leaf(child, group));
    });
    children.appendChild(this.adder(group));
    li.appendChild(children);
    return li;
  };

  Builder.prototype.removeButton = function (parent, item) {
    var self = this;
    var btn = node("button", {type: "button", "class": "action-tertiary channel-rule-remove",
                              "aria-label": "Remove this condition", title: "Remove"}, "\u00d7");
    btn.addEventListener("click", function () {
      parent.conditions.splice(parent.conditions.indexOf(item), 1);
      self.render();
      self.changed();
    });
    return btn;
  };

  Builder.prototype.adder = function (group) {
    var self = this;
    var li = node("li", {"class": "channel-rule-add"});
    var select = node("select", {"class": "admin__control-select channel-rule-new", "aria-label": "Add a condition"});
    option(select, "", "\u2295 Add a condition\u2026");
    var combos = node("optgroup", {label: "Conditions combination"});
    option(combos, "combine", "Conditions combination (ALL/ANY)");
    select.appendChild(combos);
    var facts = node("optgroup", {label: "Product"});
    this.meta.facts.forEach(function (f) { option(facts, "fact:" + f.type, f.label); });
    select.appendChild(facts);
    var attrs = node("optgroup", {label: "Product attribute"});
    this.meta.attributes.forEach(function (a) { option(attrs, "attr:" + a.code, a.label + " (" + a.code + ")"); });
    select.appendChild(attrs);
    select.addEventListener("change", function () {
      var v = select.value;
      if (!v) { return; }
      var item;
      if (v === "combine") {
        item = {type: "combine", aggregator: "all", value: true, conditions: []};
      } else if (v.indexOf("fact:") === 0) {
        var fact = self.facts[v.slice(5)];
        item = {type: fact.type, operator: fact.operators[0]};
        if (fact.value_type !== "none") { item.value = ""; }
      } else {
        var attr = self.attributes[v.slice(5)];
        item = {type: "attribute", attribute: attr.code, operator: attr.operators[0], value: ""};
      }
      group.conditions.push(item);
      self.render();
      self.changed();
      var focus = self.box.querySelectorAll(".channel-rule-value");
      if (focus.length && item.type !== "combine") { focus[focus.length - 1].focus(); }
    });
    li.appendChild(select);
    return li;
  };

  Builder.prototype.leaf = function (leaf, parent) {
    var self = this;
    var info = this.describe(leaf);
    var li = node("li", {"class": "channel-rule-leaf"});
    li.appendChild(node("span", {"class": "channel-rule-label"}, info.label + " "));
    var ops = node("select", {"class": "admin__control-select channel-rule-operator",
                              "aria-label": "Operator for " + info.label});
    var operators = info.operators.indexOf(leaf.operator) >= 0 ? info.operators : [leaf.operator].concat(info.operators);
    operators.forEach(function (op) { option(ops, op, self.operators[op] || op, op === leaf.operator); });
    ops.addEventListener("change", function () {
      var wasList = LISTS.indexOf(leaf.operator) >= 0, isList = LISTS.indexOf(ops.value) >= 0;
      leaf.operator = ops.value;
      if (wasList !== isList && leaf.value !== undefined) {
        leaf.value = isList ? (leaf.value === "" ? [] : [leaf.value]) : (Array.isArray(leaf.value) ? (leaf.value[0] || "") : leaf.value);
      }
      self.render();
      self.changed();
    });
    li.appendChild(ops);
    li.appendChild(document.createTextNode(" "));
    if (info.value_type !== "none") { li.appendChild(this.valueControl(leaf, info)); }
    li.appendChild(this.removeButton(parent, leaf));
    return li;
  };

  function matches(opt, value) {
    return String(opt.value) === String(value) ||
      (opt.label !== null && String(opt.label).toLowerCase() === String(value).toLowerCase());
  }

  Builder.prototype.valueControl = function (leaf, info) {
    var self = this;
    var list = LISTS.indexOf(leaf.operator) >= 0;
    var label = "Value for " + info.label;
    if (info.options && info.options.length && !info.options_truncated) {
      var select = node("select", {"class": "admin__control-select channel-rule-value", "aria-label": label});
      var current = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
      if (list) {
        select.multiple = true;
        select.size = Math.min(info.options.length, 6);
      } else {
        option(select, "", "Choose\u2026", leaf.value === "" || leaf.value === undefined);
      }
      info.options.forEach(function (opt) {
        var chosen = current.some(function (v) { return v !== "" && v !== undefined && matches(opt, v); });
        option(select, opt.value, opt.label === null ? opt.value : opt.label, chosen);
      });
      select.addEventListener("change", function () {
        leaf.value = list ? Array.prototype.map.call(select.selectedOptions, function (o) { return o.value; })
                          : select.value;
        self.changed();
      });
      return select;
    }
    var input = node("input", {type: "text", "class": "admin__control-text channel-rule-value", "aria-label": label});
    if (info.value_type === "number" && !list) { input.setAttribute("inputmode", "decimal"); }
    if (list) { input.setAttribute("placeholder", "comma-separated"); }
    input.value = Array.isArray(leaf.value) ? leaf.value.join(", ") : (leaf.value === undefined ? "" : leaf.value);
    input.addEventListener("input", function () {
      var raw = input.value.trim();
      if (list) {
        leaf.value = raw ? raw.split(",").map(function (v) { return v.trim(); }).filter(Boolean) : [];
      } else if (info.value_type === "number" && raw !== "" && isFinite(Number(raw))) {
        leaf.value = Number(raw);
      } else {
        leaf.value = raw;
      }
      self.changed();
    });
    return input;
  };

  /* A condition without its value yet: the counts wait for it rather than show an error. */
  Builder.prototype.incomplete = function (group) {
    var self = this;
    var missing = null;
    group.conditions.some(function (c) {
      if ((c.type || "combine") === "combine") { missing = self.incomplete(c); return missing; }
      var empty = c.type !== "sell_dates" && (c.value === "" || c.value === undefined ||
                                              (Array.isArray(c.value) && !c.value.length));
      if (empty) { missing = self.describe(c).label; }
      return missing;
    });
    return missing;
  };

  Builder.prototype.scheduleCounts = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.refreshCounts(); }, 350);
  };

  Builder.prototype.refreshCounts = function () {
    var self = this;
    var out = this.counts;
    var missing = this.incomplete(this.rule);
    if (missing) {
      out.textContent = "Choose a value for " + missing + " to see how many products the rule lists.";
      out.className = "channel-rule-counts";
      return;
    }
    var seq = ++this.seq;
    out.setAttribute("aria-busy", "true");
    request(this.box, "POST", "/api/v1/accounts/" + this.form.dataset.accountId + "/rule/preview?bucket=new&limit=1",
            {rule: this.rule}).then(function (r) {
      if (seq !== self.seq) { return; }  // an older answer: a newer edit is on its way
      out.removeAttribute("aria-busy");
      out.className = "channel-rule-counts channel-ok";
      out.dataset.eligible = r.counts.eligible;
      out.textContent = r.counts.eligible + " eligible, " + r.counts.ineligible + " ineligible, " +
                        r.counts["new"] + " new listings would be created.";
    }).catch(function (err) {
      if (seq !== self.seq) { return; }
      out.removeAttribute("aria-busy");
      out.className = "channel-rule-counts channel-bad";
      out.textContent = err.message;
    });
  };

  window.ChannelRuleBuilder = {
    /* A builder in ``box`` editing ``rule`` (a condition tree, changed in place; it must be a
       "combine" object) that calls ``onChange(rule)`` after each edit. */
    mount: function (box, rule, onChange) {
      var b = new Builder(box, {rule: rule, onChange: onChange});
      b.start();
      return b;
    }
  };

  document.querySelectorAll(".channel-rule-builder").forEach(function (box) { new Builder(box).start(); });
})();
