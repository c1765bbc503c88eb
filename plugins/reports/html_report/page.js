// Every table sorts by any column (click its header; again to reverse); tables of builds filter
// by attack type, upgrade, limit and text. Plain DOM code: no library needed for this much.
(function () {
  "use strict";
  var NUM = /^\s*[+\-\u2212]?\d[\d,]*(\.\d+)?/;

  function key(cell) {
    var raw = cell.getAttribute("data-sort");
    var text = raw !== null ? raw : cell.textContent;
    var m = NUM.exec(text);
    return m ? {num: parseFloat(m[0].replace(/,/g, "").replace("\u2212", "-")), text: text}
             : {num: NaN, text: text.trim()};
  }

  function sortBy(table, col, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    var keys = rows.map(function (r, i) { return {row: r, i: i, k: r.cells[col] ? key(r.cells[col]) : {num: NaN, text: ""}}; });
    var numeric = keys.some(function (x) { return !isNaN(x.k.num); }) &&
      keys.every(function (x) { return !isNaN(x.k.num) || x.k.text === "" || x.k.text === "\u2013" || x.k.text === "?"; });
    keys.sort(function (a, b) {
      var d;
      if (numeric) {
        // a dash (no value) sorts last either way
        if (isNaN(a.k.num) || isNaN(b.k.num)) return (isNaN(a.k.num) - isNaN(b.k.num)) || a.i - b.i;
        d = a.k.num - b.k.num;
      } else {
        d = a.k.text.localeCompare(b.k.text);
      }
      return (ascending ? d : -d) || a.i - b.i;
    });
    var frag = document.createDocumentFragment();
    keys.forEach(function (x) { frag.appendChild(x.row); });
    body.appendChild(frag);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function sortable(table) {
    if (!table.tHead || !table.tHead.rows.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.title = "Sort by " + th.textContent.trim();
      th.addEventListener("click", function () { sortBy(table, col, th); });
    });
  }

  function filterable(form) {
    var table = document.getElementById(form.getAttribute("data-table"));
    var shown = form.querySelector(".shown");
    function apply() {
      var want = {};
      Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) { want[s.name] = s.value; });
      var text = (form.querySelector("input[type=search]") || {value: ""}).value.trim().toLowerCase();
      var n = 0, total = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        var ok = Object.keys(want).every(function (k) {
          return !want[k] || (r.getAttribute("data-" + k) || "").indexOf("|" + want[k] + "|") >= 0;
        }) && (!text || r.textContent.toLowerCase().indexOf(text) >= 0);
        r.hidden = !ok;
        total += 1;
        n += ok ? 1 : 0;
      });
      shown.textContent = n.toLocaleString("en") + " of " + total.toLocaleString("en") + " rows shown";
    }
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    apply();
  }

  // Plotly's 4.8 MB script is embedded as text and run only when a chart comes near the screen:
  // the findings and the tables are usable at once instead of after the script compiles.
  function charts() {
    var left = document.querySelectorAll("script.chart-data").length;
    function done() {
      document.body.setAttribute("data-charts-ready", String(Math.round(performance.now())));
    }
    function draw(data) {
      if (data.drawn) return;
      data.drawn = true;
      if (typeof Plotly === "undefined") {
        var run = document.createElement("script");
        run.text = document.getElementById("plotly-source").textContent;
        document.head.appendChild(run);
      }
      var fig = JSON.parse(data.textContent);
      Plotly.newPlot(document.getElementById(data.getAttribute("data-target")), fig.data, fig.layout,
                     {responsive: true, displaylogo: false});
      left -= 1;
      if (!left) done();
    }
    var all = Array.prototype.slice.call(document.querySelectorAll("script.chart-data"));
    if (!all.length) { done(); return; }
    window.addEventListener("beforeprint", function () { all.forEach(draw); });
    if (!("IntersectionObserver" in window)) { all.forEach(draw); return; }
    var watch = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (!e.isIntersecting) return;
        watch.unobserve(e.target);
        all.forEach(function (d) { if (d.getAttribute("data-target") === e.target.id) draw(d); });
      });
    }, {rootMargin: "600px 0px"});
    all.forEach(function (d) { watch.observe(document.getElementById(d.getAttribute("data-target"))); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), sortable);
    Array.prototype.forEach.call(document.querySelectorAll("form.filters"), filterable);
    document.body.setAttribute("data-ready", "1");
    // how long the page took to become usable, for the measurement in docs/reports-html.md
    document.body.setAttribute("data-ready-ms", String(Math.round(performance.now())));
    charts();
  });
})();
