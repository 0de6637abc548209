// Registration form: the identifier field follows the customer type (PESEL for an individual,
// NIP for a business): its label, its help and the message screen readers hear. The server
// checks the number by the type chosen, so the page and the check always agree.
(function () {
  "use strict";
  var type = document.getElementById("id_customer_type");
  var input = document.getElementById("id_pesel_or_nip");
  if (!type || !input) return;
  var label = document.querySelector('label[for="id_pesel_or_nip"]');
  var help = document.getElementById("id_pesel_or_nip_help");
  function follow() {
    var kind = type.value;
    var text = input.getAttribute("data-label-" + kind);
    if (!text) return;
    var marker = label.querySelector(".required");
    label.textContent = text + (marker ? " " : "");
    if (marker) label.appendChild(marker);
    if (help) help.textContent = input.getAttribute("data-help-" + kind);
  }
  type.addEventListener("change", follow);
  follow();
})();
