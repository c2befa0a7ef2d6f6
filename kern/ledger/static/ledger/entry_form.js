// The entry form: the running difference between debit and credit, and an "add line" button.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) return;
  var body = document.querySelector("#entry-lines tbody");
  var total = form.querySelector("input[name$='TOTAL_FORMS']");

  function amount(input) {
    if (!input || !input.value) return 0;
    // Accept Dutch (1.234,56) and English (1,234.56) typing alike; work in cents.
    var text = input.value.trim();
    if (text.indexOf(",") > -1 && text.lastIndexOf(",") > text.lastIndexOf(".")) text = text.replace(/\./g, "").replace(",", ".");
    else text = text.replace(/,/g, "");
    var value = Math.round(parseFloat(text) * 100);
    return isNaN(value) ? 0 : value;
  }
  function show(cents) { return (cents / 100).toFixed(2); }
  function update() {
    var debit = 0, credit = 0;
    body.querySelectorAll("tr").forEach(function (row) {
      debit += amount(row.querySelector("input[name$='-debit']"));
      credit += amount(row.querySelector("input[name$='-credit']"));
    });
    document.getElementById("total-debit").textContent = show(debit);
    document.getElementById("total-credit").textContent = show(credit);
    var diff = document.getElementById("difference");
    diff.textContent = show(debit - credit);
    diff.className = debit === credit ? "text-success" : "text-danger";
  }
  form.addEventListener("input", update);
  document.getElementById("add-line").addEventListener("click", function () {
    var rows = body.querySelectorAll("tr");
    var last = rows[rows.length - 1];
    var index = parseInt(total.value, 10);
    var copy = last.cloneNode(true);
    copy.querySelectorAll("input").forEach(function (input) {
      input.name = input.name.replace(/lines-\d+-/, "lines-" + index + "-");
      if (input.id) input.id = input.id.replace(/lines-\d+-/, "lines-" + index + "-");
      input.value = "";
      input.classList.remove("is-invalid");
    });
    copy.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
    body.appendChild(copy);
    total.value = index + 1;
    copy.querySelector("input").focus();
  });
  update();
})();
