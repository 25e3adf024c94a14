(function () {
  "use strict";
  document.documentElement.className += " js";
  function key(cell) {
    var v = cell.getAttribute("data-v");
    var t = v !== null ? v : cell.textContent;
    var n = parseFloat(t.replace(/[^0-9eE.+\-]/g, " ").trim().split(" ")[0]);
    return { n: n, t: t };
  }
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "sort";
      b.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(b);
      b.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          var c;
          if (!isNaN(x.n) && !isNaN(y.n)) { c = x.n - y.n; }
          else if (isNaN(x.n) && isNaN(y.n)) { c = x.t.localeCompare(y.t); }
          else { return isNaN(x.n) ? 1 : -1; }
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
      d.setAttribute("data-was-open", d.open ? "1" : "0");
      d.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
      d.open = d.getAttribute("data-was-open") === "1";
    });
  });
})();
