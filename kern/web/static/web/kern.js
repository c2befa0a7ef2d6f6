// Kern's small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Forms with data-confirm ask first (plain forms; htmx requests use hx-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
  // "/" focuses the global search box; Escape clears its results.
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("global-search");
    if (!box) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (event.key === "/" && tag !== "input" && tag !== "textarea" && tag !== "select") {
      event.preventDefault();
      box.focus();
    } else if (event.key === "Escape" && event.target === box) {
      var results = document.getElementById("global-search-results");
      if (results) results.innerHTML = "";
    }
  });
  // The language switcher submits on change.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) {
      event.target.form.submit();
    }
  });
})();
