// Live password checklist: mirrors identity/policies.py for the rules that need no server, asks
// the server (debounced) whether the password is a common one, and compares it with the current
// or temporary password typed on the same form ("different from the previous one"). Older
// passwords are judged only when the form is sent: the server never answers questions about
// them. Without JavaScript the server marks the rules after each submit.
(function () {
  "use strict";
  var policyEl = document.getElementById("password-policy");
  var input = document.querySelector("[data-password-checklist]");
  var list = document.getElementById("password-checklist");
  if (!policyEl || !input || !list) return;
  var p = JSON.parse(policyEl.textContent);
  var labels = document.getElementById("checklist-labels").dataset;
  var summary = document.getElementById("checklist-summary");
  var DIGITS = "0123456789";
  function isLetter(c) { return c.toLowerCase() !== c.toUpperCase(); }
  function isUpper(c) { return isLetter(c) && c === c.toUpperCase(); }
  function isLower(c) { return isLetter(c) && c === c.toLowerCase(); }
  function isDigit(c) { return DIGITS.indexOf(c) >= 0; }
  function isSpecial(c) {
    if (p.special_characters) return p.special_characters.indexOf(c) >= 0;
    return !isLetter(c) && !isDigit(c) && !/\s/.test(c);
  }
  function count(chars, fn) { return chars.filter(fn).length; }
  function verdicts(pw) {
    var chars = Array.from(pw);
    var v = {
      min_length: chars.length >= p.min_length,
      max_length: chars.length <= p.max_length,
      min_uppercase: count(chars, isUpper) >= p.min_uppercase,
      min_lowercase: count(chars, isLower) >= p.min_lowercase,
      min_letters: count(chars, isLetter) >= p.min_letters,
      min_digits: count(chars, isDigit) >= p.min_digits,
      min_special: count(chars, isSpecial) >= p.min_special,
      min_digits_or_special: count(chars, isDigit) + count(chars, isSpecial) >= p.min_digits_or_special,
      no_special: chars.every(function (c) { return isLetter(c) || isDigit(c); }),
      ascii_only: chars.every(function (c) { return !isLetter(c) || c.charCodeAt(0) < 128; }),
      contains_login: !(p.logins || []).some(function (name) {
        return name.length >= 3 && pw.toLowerCase().indexOf(name.toLowerCase()) >= 0;
      })
    };
    Object.keys(server).forEach(function (code) { v[code] = server[code]; });
    var previous = current ? current.value : "";
    if (previous && pw) {
      if (pw === previous) v.reused = false;
      else if (p.history <= 1) v.reused = true;  // the previous password is the one typed above
    }
    return v;
  }
  var current = document.querySelector("input[name=current_password]");
  // Rules only the server can judge: unknown (not marked) until it has answered for this text.
  var server = {};
  var SERVER_RULES = ["common", "reused"];  // unmarked until judged
  var timer = null;
  var asked = "";
  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function askServer() {
    var pw = input.value;
    if (!p.check_url || !pw || pw === asked) return;
    asked = pw;
    fetch(p.check_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ password: pw })
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (answer) {
      if (!answer || input.value !== pw) return;
      server = {};
      SERVER_RULES.forEach(function (code) {
        if (answer.checked.indexOf(code) >= 0) server[code] = answer.unmet.indexOf(code) < 0;
      });
      update();
    }).catch(function () { /* the submit still checks every rule */ });
  }
  function update() {
    var v = verdicts(input.value);
    var items = list.querySelectorAll("li[data-rule]");
    var met = 0, all = 0;
    items.forEach(function (li) {
      var code = li.dataset.rule;
      if (!(code in v)) {
        if (SERVER_RULES.indexOf(code) >= 0) {
          li.classList.remove("rule-met", "rule-unmet");
          li.querySelector(".rule-status").textContent = "";
        }
        return;
      }
      all += 1;
      var ok = input.value.length > 0 && v[code];
      if (ok) met += 1;
      li.classList.toggle("rule-met", ok);
      li.classList.toggle("rule-unmet", input.value.length > 0 && !ok);
      li.querySelector(".rule-status").textContent = input.value.length ? (ok ? labels.met : labels.unmet) : "";
    });
    summary.textContent = labels.summary.replace("%(met)s", met).replace("%(all)s", all);
  }
  if (current) current.addEventListener("input", update);
  input.addEventListener("input", function () {
    server = {};
    update();
    clearTimeout(timer);
    timer = setTimeout(askServer, 400);
  });
})();
