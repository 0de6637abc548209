// Live password checklist: mirrors identity/policies.py for the rules that need no server
// (common and reused passwords are checked on submit). Without JavaScript the server marks the
// rules after each submit.
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
      contains_login: !(p.login && p.login.length >= 3 && pw.toLowerCase().indexOf(p.login.toLowerCase()) >= 0)
    };
    return v;
  }
  function update() {
    var v = verdicts(input.value);
    var items = list.querySelectorAll("li[data-rule]");
    var met = 0, all = 0;
    items.forEach(function (li) {
      var code = li.dataset.rule;
      if (!(code in v)) return;
      all += 1;
      var ok = input.value.length > 0 && v[code];
      if (ok) met += 1;
      li.classList.toggle("rule-met", ok);
      li.classList.toggle("rule-unmet", input.value.length > 0 && !ok);
      li.querySelector(".rule-status").textContent = input.value.length ? (ok ? labels.met : labels.unmet) : "";
    });
    summary.textContent = labels.summary.replace("%(met)s", met).replace("%(all)s", all);
  }
  input.addEventListener("input", update);
})();
