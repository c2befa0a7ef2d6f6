// The kanban board: drag a card to another stage, or focus it and press ←/→. Every move is
// posted to the server (which saves and audits it); the card only moves once the server agreed.
// Without this script each card still has its own "Move" form.
(function () {
  "use strict";
  var board = document.getElementById("kanban");
  if (!board || board.getAttribute("data-can-move") !== "1") return;
  var status = document.getElementById("kanban-status");
  var dragged = null;

  function columns() { return Array.prototype.slice.call(board.querySelectorAll(".kanban-column")); }
  function columnOf(card) { return card.closest(".kanban-column"); }
  function token(card) {
    var input = card.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function say(text) { if (status) { status.textContent = text; } }

  function applyTotals(totals) {
    columns().forEach(function (col) {
      var t = totals[col.getAttribute("data-stage")];
      if (!t) return;
      col.querySelector("[data-count]").textContent = t.count;
      col.querySelector("[data-expected]").textContent = t.expected;
      col.querySelector("[data-weighted]").textContent = t.weighted;
    });
  }

  function move(card, target) {
    var from = columnOf(card);
    if (!target || target === from) return;
    var body = new URLSearchParams();
    body.append("stage", target.getAttribute("data-stage"));
    card.setAttribute("aria-busy", "true");
    fetch(card.getAttribute("data-move-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token(card), "Accept": "application/json",
                 "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      card.removeAttribute("aria-busy");
      if (!result.ok || !result.data.ok) {
        say(result.data.error || "Not moved");
        return;
      }
      target.querySelector(".kanban-cards").appendChild(card);
      var select = card.querySelector("select[name=stage]");
      if (select) select.value = String(result.data.stage);
      card.setAttribute("data-stage", result.data.stage);
      applyTotals(result.data.totals);
      say(result.data.message);
      card.focus();
    }).catch(function () {
      card.removeAttribute("aria-busy");
      say("Not moved: the server could not be reached");
    });
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".kanban-card");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-id"));
  });
  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    columns().forEach(function (c) { c.classList.remove("drop-target"); });
    dragged = null;
  });
  board.addEventListener("dragover", function (event) {
    var col = event.target.closest && event.target.closest(".kanban-column");
    if (!col || !dragged) return;
    event.preventDefault();
    columns().forEach(function (c) { c.classList.toggle("drop-target", c === col); });
  });
  board.addEventListener("drop", function (event) {
    var col = event.target.closest && event.target.closest(".kanban-column");
    if (!col || !dragged) return;
    event.preventDefault();
    col.classList.remove("drop-target");
    move(dragged, col);
  });
  board.addEventListener("keydown", function (event) {
    var card = event.target;
    if (!card.classList || !card.classList.contains("kanban-card")) return;
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    event.preventDefault();
    var all = columns();
    var index = all.indexOf(columnOf(card)) + (event.key === "ArrowRight" ? 1 : -1);
    if (index >= 0 && index < all.length) move(card, all[index]);
  });
})();
