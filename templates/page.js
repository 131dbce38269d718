// index.html's script: drill-down, search, filters, sortable tables and deep links over the
// measures embedded in <script id="pt-data" type="application/json">. Text is only ever inserted
// with textContent: report text, file and place names and analysts' labels are data, not markup.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("pt-data").textContent);
  var T = D.text;
  // Fields of a measure row, in D.units order.
  var ID = 0, GROUP = 1, THEME = 2, THEME2 = 3, SIM = 4, SIM2 = 5, KIND = 6, YEAR = 7,
    HEADING = 8, SECTION = 9, TEXT = 10, FILE = 11, START = 12, END = 13, TOWN = 14, MIXED = 15;
  var STEP = 200;
  var state = { group: null, theme: null, kind: null, year: null, q: "" };
  var shown = STEP;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function themeName(t) {
    if (t < 0) { return T.unassigned; }
    var th = D.themes[t];
    return th[1] ? th[0] + " " + th[1] : th[0];
  }
  function themeIndex(id) {
    for (var t = 0; t < D.themes.length; t++) { if (D.themes[t][0] === id) { return t; } }
    return id === "unassigned" ? -1 : null;
  }
  function terms() {
    return state.q.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }
  // A year filter, "2021" or a bin of the years chart, "1990-1994": [first, last].
  function yearRange(y) {
    var m = /^(\d+)(?:-(\d+))?$/.exec(y);
    return m ? [+m[1], +(m[2] || m[1])] : null;
  }
  function matches(u, words) {
    if (state.group !== null && D.groups[u[GROUP]] !== state.group) { return false; }
    if (state.theme !== null && u[THEME] !== state.theme) { return false; }
    if (state.kind !== null && D.kinds[u[KIND]][0] !== state.kind) { return false; }
    if (state.year !== null) {
      var r = yearRange(state.year);
      if (!r || u[YEAR] < r[0] || u[YEAR] > r[1]) { return false; }
    }
    if (words.length) {
      var hay = (u[TEXT] + "\n" + u[HEADING] + "\n" + u[SECTION]).toLowerCase();
      for (var i = 0; i < words.length; i++) { if (hay.indexOf(words[i]) < 0) { return false; } }
    }
    return true;
  }
  function active() {
    return state.group !== null || state.theme !== null || state.kind !== null ||
      state.year !== null || state.q !== "";
  }
  // Appends `text` to `parent`, the search words wrapped in <mark>.
  function highlighted(parent, text, words) {
    var low = text.toLowerCase(), at = 0;
    while (words.length) {
      var best = -1, len = 0;
      for (var i = 0; i < words.length; i++) {
        var p = low.indexOf(words[i], at);
        if (p >= 0 && (best < 0 || p < best || (p === best && words[i].length > len))) {
          best = p; len = words[i].length;
        }
      }
      if (best < 0) { break; }
      parent.appendChild(document.createTextNode(text.slice(at, best)));
      parent.appendChild(el("mark", null, text.slice(best, best + len)));
      at = best + len;
    }
    parent.appendChild(document.createTextNode(text.slice(at)));
  }
  function item(u, words) {
    var li = el("li", u[MIXED] ? "m mixed" : "m");
    li.setAttribute("data-measure-id", u[ID]);
    var head = el("div", "mh");
    head.appendChild(el("b", null, u[TOWN] || D.groups[u[GROUP]]));
    head.appendChild(el("span", "kind", D.kinds[u[KIND]][1]));
    if (u[YEAR]) { head.appendChild(el("span", "meta", u[YEAR])); }
    var heading = u[HEADING] || u[SECTION];
    if (heading) { var h = el("span", "heading"); highlighted(h, heading, words); head.appendChild(h); }
    li.appendChild(head);
    var body = el("div", "mt");
    // A measure's text starts with its own heading: shown once, above.
    var text = u[TEXT];
    if (u[HEADING] && text.indexOf(u[HEADING]) === 0) { text = text.slice(u[HEADING].length).replace(/^\s+/, ""); }
    highlighted(body, text, words);
    li.appendChild(body);
    var foot = el("div", "meta");
    var parts = [u[ID], themeName(u[THEME]) + " · " + T.similarity + " " + u[SIM].toFixed(2)];
    if (u[THEME2] >= 0) {
      parts.push(T.theme2 + " " + themeName(u[THEME2]) + " " + u[SIM2].toFixed(2));
    }
    parts.push(D.files[u[FILE]] + " [" + u[START] + ", " + u[END] + ")");
    foot.textContent = parts.join(" · ");
    if (u[MIXED]) { foot.insertBefore(el("span", "badge", T.mixed), foot.firstChild); }
    li.appendChild(foot);
    return li;
  }
  function describe() {
    var parts = [];
    if (state.group !== null) { parts.push(T.group + " " + state.group); }
    if (state.theme !== null) { parts.push(themeName(state.theme)); }
    if (state.kind !== null) {
      for (var k = 0; k < D.kinds.length; k++) {
        if (D.kinds[k][0] === state.kind) { parts.push(D.kinds[k][1]); }
      }
    }
    if (state.year !== null) { parts.push(state.year.replace("-", "–")); }
    if (state.q) { parts.push("“" + state.q + "”"); }
    return parts.join(" · ");
  }
  function hash() {
    var enc = encodeURIComponent, parts = [];
    var cell = state.group !== null && state.theme !== null;
    if (cell) { parts.push("cell=" + enc(state.group) + "/" + enc(D.themes[state.theme] ? D.themes[state.theme][0] : "unassigned")); }
    if (!cell && state.group !== null) { parts.push("group=" + enc(state.group)); }
    if (!cell && state.theme !== null) { parts.push("theme=" + enc(state.theme < 0 ? "unassigned" : D.themes[state.theme][0])); }
    if (state.kind !== null) { parts.push("kind=" + enc(state.kind)); }
    if (state.year !== null) { parts.push("year=" + state.year); }
    if (state.q) { parts.push("q=" + enc(state.q)); }
    return parts.length ? "#" + parts.join("&") : "";
  }
  function render(scroll) {
    var list = $("drill-list"), words = terms();
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var hits = [];
    if (active()) {
      for (var i = 0; i < D.units.length; i++) { if (matches(D.units[i], words)) { hits.push(D.units[i]); } }
    }
    var frag = document.createDocumentFragment();
    for (var j = 0; j < hits.length && j < shown; j++) { frag.appendChild(item(hits[j], words)); }
    list.appendChild(frag);
    $("drill").setAttribute("data-count", String(hits.length));
    $("drill-status").textContent = active()
      ? T.found.replace("{n}", hits.length) + (describe() ? " — " + describe() : "")
      : T.prompt;
    $("drill-more").hidden = hits.length <= shown;
    $("drill-more").textContent = T.more.replace("{n}", Math.min(STEP, hits.length - shown));
    syncControls();
    var h = hash();
    if (location.hash !== h && history.replaceState) {
      history.replaceState(null, "", h || location.pathname + location.search);
    }
    if (scroll) { $("drill").scrollIntoView(); }
  }
  function syncControls() {
    $("f-group").value = state.group === null ? "" : state.group;
    $("f-theme").value = state.theme === null ? "" : String(state.theme);
    $("f-kind").value = state.kind === null ? "" : state.kind;
    var year = state.year === null ? "" : state.year;
    if (year && !$("f-year").querySelector("option[value='" + year + "']")) {
      option($("f-year"), year, year.replace("-", "–"));
    }
    $("f-year").value = year;
    if (document.activeElement !== $("q")) { $("q").value = state.q; }
  }
  function reset() { state = { group: null, theme: null, kind: null, year: null, q: "" }; shown = STEP; }
  // Reads `#cell=G/T`, `#theme=T`, `#group=G`, `#q=…` (and kind=, year=), joined by `&`.
  function fromHash() {
    reset();
    var h = location.hash.replace(/^#/, "");
    if (!h) { return false; }
    h.split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq < 0) { return; }
      var key = part.slice(0, eq), raw = part.slice(eq + 1), value;
      if (key === "cell") {
        var slash = raw.lastIndexOf("/");
        if (slash < 0) { return; }
        state.group = decode(raw.slice(0, slash));
        state.theme = themeIndex(decode(raw.slice(slash + 1)));
        return;
      }
      value = decode(raw);
      if (key === "group") { state.group = value; }
      if (key === "theme") { state.theme = themeIndex(value); }
      if (key === "kind") { state.kind = value; }
      if (key === "year") { state.year = yearRange(value) ? value : null; }
      if (key === "q") { state.q = value; }
    });
    return true;
  }
  function decode(s) {
    try { return decodeURIComponent(s.replace(/\+/g, "%20")); } catch (e) { return s; }
  }
  // A chart element's or table row's data-drill key → the filters it stands for.
  function drill(key) {
    var p = key.split(":");
    reset();
    if (p[0] === "cell") { state.group = D.groups[+p[1]]; state.theme = +p[2]; }
    if (p[0] === "theme") { state.theme = +p[1]; }
    if (p[0] === "group") { state.group = D.groups[+p[1]]; }
    if (p[0] === "kind") { state.kind = p[1]; state.theme = +p[2]; }
    if (p[0] === "year") { state.year = p[1]; state.theme = +p[2]; }
    render(true);
  }
  function option(select, value, text) {
    var o = el("option", null, text);
    o.value = value;
    select.appendChild(o);
  }
  function sortable(table) {
    var heads = table.querySelectorAll("th");
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var dir = th.getAttribute("data-dir") === "asc" ? -1 : 1;
        Array.prototype.forEach.call(heads, function (x) { x.removeAttribute("data-dir"); });
        th.setAttribute("data-dir", dir === 1 ? "asc" : "desc");
        var key = function (r) {
          var c = r.cells[col];
          if (!c) { return ""; }
          var v = c.getAttribute("data-v");
          return v !== null ? parseFloat(v) : c.textContent;
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var d = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh");
          return dir * d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  function init() {
    D.groups.forEach(function (g) { option($("f-group"), g, g); });
    D.themes.forEach(function (th, t) { option($("f-theme"), String(t), themeName(t)); });
    option($("f-theme"), "-1", T.unassigned);
    D.kinds.forEach(function (k) { option($("f-kind"), k[0], k[1]); });
    D.years.forEach(function (y) { option($("f-year"), String(y), String(y)); });
    var change = function () {
      var g = $("f-group").value, t = $("f-theme").value, k = $("f-kind").value, y = $("f-year").value;
      state.group = g === "" ? null : g;
      state.theme = t === "" ? null : +t;
      state.kind = k === "" ? null : k;
      state.year = y === "" ? null : y;
      shown = STEP;
      render(false);
    };
    ["f-group", "f-theme", "f-kind", "f-year"].forEach(function (id) { $(id).addEventListener("change", change); });
    $("search").addEventListener("submit", function (e) {
      e.preventDefault();
      state.q = $("q").value.trim();
      shown = STEP;
      render(false);
    });
    $("drill-clear").addEventListener("click", function () { reset(); render(false); });
    $("drill-more").addEventListener("click", function () { shown += STEP; render(false); });
    document.addEventListener("click", function (e) {
      var target = e.target.closest ? e.target.closest("[data-drill]") : null;
      if (target) { e.preventDefault(); drill(target.getAttribute("data-drill")); }
    });
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), sortable);
    window.addEventListener("hashchange", function () { if (location.hash !== hash()) { fromHash(); render(true); } });
    var linked = fromHash();
    render(linked);
  }
  init();
})();
