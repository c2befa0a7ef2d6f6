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
  // A detail page's tab strip is one tab stop (the open tab): the arrow keys (wrapping round),
  // Home and End move the focus along it; Enter, Space or a click opens the focused tab (manual
  // activation, as each tab loads its panel over the network).
  document.addEventListener("keydown", function (event) {
    var tab = event.target;
    if (!tab.matches || !tab.matches("[role=tablist] [role=tab]")) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var tabs = Array.prototype.slice.call(tab.closest("[role=tablist]").querySelectorAll("[role=tab]"));
    var at = tabs.indexOf(tab);
    var to = {ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1}[event.key];
    if (event.key === " ") {
      event.preventDefault();
      tab.click();
    } else if (to !== undefined) {
      event.preventDefault();
      tabs[(to + tabs.length) % tabs.length].focus();
    }
  });
  // A detail page's tabs load their panel with htmx, which swaps the panel alone: move the
  // active marker (class, aria-selected, aria-current and the tab stop) to the tab that was
  // opened, as a full page load does.
  document.addEventListener("htmx:afterRequest", function (event) {
    var tab = event.detail && event.detail.elt;
    if (!event.detail.successful || !tab || !tab.matches || !tab.matches(".nav-tabs .nav-link")) return;
    tab.closest(".nav-tabs").querySelectorAll(".nav-link").forEach(function (other) {
      other.classList.toggle("active", other === tab);
      if (other.getAttribute("role") === "tab") {
        other.setAttribute("aria-selected", other === tab ? "true" : "false");
        other.setAttribute("tabindex", other === tab ? "0" : "-1");
      }
      if (other === tab) {
        other.setAttribute("aria-current", "page");
      } else {
        other.removeAttribute("aria-current");
      }
    });
  });
  // The language switcher submits on change.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) {
      event.target.form.submit();
    }
  });
})();
