/*
 * Minh Bạch: make every `table.mb-sortable` sortable with the vendored tablesort.
 *
 * Cells carry their machine value in `data-sort` ("92.00", "1577"), because the
 * displayed Vietnamese formats ("1.577", "47,10%") do not parse as numbers. A cell
 * with an empty `data-sort` is a figure that was not reported: it sorts below every
 * number instead of passing for a 0. Without JavaScript the tables stay in the order
 * the page was written in, which is already a meaningful one.
 *
 * This file is loaded after tablesort.min.js and before tablesort.number.min.js, so
 * this sort is tried before tablesort's looser number sort (the first match wins).
 */
(function () {
  "use strict";

  if (typeof window.Tablesort !== "function") {
    return;
  }

  var MACHINE_NUMBER = /^[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

  function value(text) {
    var trimmed = text.trim();
    return MACHINE_NUMBER.test(trimmed) ? parseFloat(trimmed) : -Infinity;
  }

  window.Tablesort.extend(
    "mb-number",
    function (item) {
      return MACHINE_NUMBER.test(item.trim());
    },
    function (a, b) {
      var x = value(a);
      var y = value(b);
      if (x === y) {
        return 0;
      }
      // tablesort expects "b before a" ordering and reverses it for ascending sorts.
      return y > x ? 1 : -1;
    }
  );

  function init() {
    var tables = document.querySelectorAll("table.mb-sortable");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.getAttribute("data-mb-sortable") === "ready") {
        continue;
      }
      new window.Tablesort(table);
      table.setAttribute("data-mb-sortable", "ready");
      // tablesort answers Enter; buttons also answer Space, so header cells do too.
      table.addEventListener("keydown", function (event) {
        var cell = event.target;
        if (
          event.key === " " &&
          cell.getAttribute &&
          cell.getAttribute("role") === "columnheader" &&
          cell.getAttribute("data-sort-method") !== "none"
        ) {
          event.preventDefault();
          cell.click();
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/*
 * A table wider than the page scrolls sideways in the box Material wraps it in: the box
 * gets a tab stop and the table's caption (or a generic name) so that a keyboard can
 * reach and scroll it (WCAG 2.1.1; axe-core: scrollable-region-focusable).
 */
(function () {
  "use strict";

  function reachable() {
    var boxes = document.querySelectorAll(".md-typeset__scrollwrap");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.hasAttribute("tabindex")) {
        continue;
      }
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute(
        "aria-label",
        caption ? caption.textContent.trim() : document.documentElement.lang === "en" ? "Table" : "Bảng"
      );
    }
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(reachable);
  } else {
    document.addEventListener("DOMContentLoaded", reachable);
  }
})();
