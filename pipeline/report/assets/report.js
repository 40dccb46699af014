// pinghu-ner interactive report: filters the embedded data and redraws the charts with Plotly.
// Same rules as pipeline/report/data.py: people by person id, an appearance is an article,
// NIL agencies (ids "nil:…") stay out of the network.
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("report-data").textContent);
  const FONT = { family: "'" + window.REPORT_FONT + "', sans-serif", size: 13 };
  const PAGE_SIZE = 30;
  const $ = (id) => document.getElementById(id);
  let shown = PAGE_SIZE;

  // Mentions grouped by article index, in text order.
  const byArticle = D.articles.map(() => []);
  for (const m of D.mentions) byArticle[m[0]].push(m);
  byArticle.forEach((ms) => ms.sort((a, b) => a[1] - b[1] || b[2] - a[2]));

  const ent = (id) => D.entities[id] || { name: id, kind: null, parent: null };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const anchor = (id) => "e-" + encodeURIComponent(id).replace(/%/g, "_");

  function personName(key, ai, fallback) {
    if (key.startsWith("surface:")) return key.slice(8);
    return ent(key).name || fallback;
  }

  function setUpControls() {
    $("title").textContent = D.title;
    $("built-with").textContent = "Opened with: " + D.built_with;
    const dates = D.articles.map((a) => a.date).sort();
    for (const id of ["f-from", "f-to"]) { $(id).min = dates[0] || ""; $(id).max = dates[dates.length - 1] || ""; }
    const pages = [...new Set(D.articles.map((a) => a.page))].sort((a, b) => a - b);
    for (const p of pages) $("f-page").add(new Option(String(p), String(p)));
    for (const [id, name] of D.localities) $("f-locality").add(new Option(name, id));
    const init = Object.assign({}, D.initial || {}, fromHash());
    // Several pages (--page 1 --page 2) are one choice, "1,2", so the page opens as the terminal counted.
    if (init.page && ![...$("f-page").options].some((o) => o.value === String(init.page)))
      $("f-page").add(new Option(String(init.page).split(",").join(", "), String(init.page)));
    $("f-from").value = init.from || ""; $("f-to").value = init.to || "";
    $("f-page").value = init.page == null ? "" : String(init.page);
    $("f-locality").value = init.locality || "";
    for (const id of ["f-from", "f-to", "f-page", "f-locality"]) $(id).addEventListener("change", () => { shown = PAGE_SIZE; toHash(); render(); });
    $("f-reset").addEventListener("click", () => { for (const id of ["f-from", "f-to", "f-page", "f-locality"]) $(id).value = ""; toHash(); render(); });
    $("more").addEventListener("click", () => { shown += PAGE_SIZE; renderArticles(current); });
  }

  // Filters in the address (#from=2024-03-01&to=…&page=1&locality=…), so a view can be shared.
  function fromHash() {
    const q = new URLSearchParams(location.hash.slice(1)), out = {};
    for (const k of ["from", "to", "page", "locality"]) if (q.get(k)) out[k] = q.get(k);
    return out;
  }

  function toHash() {
    const q = new URLSearchParams();
    const v = { from: $("f-from").value, to: $("f-to").value, page: $("f-page").value, locality: $("f-locality").value };
    for (const k in v) if (v[k]) q.set(k, v[k]);
    history.replaceState(null, "", q.toString() ? "#" + q.toString() : location.pathname);
  }

  // Which articles are in each locality was decided in Python (pipeline/report/filters.py,
  // locality_mask) and shipped as article indices: the page never counts by a rule of its own.
  const LOCALITY = new Map(D.localities.map(([key, , , idx]) => [key, new Set(idx)]));
  const inLocality = (i, loc) => (LOCALITY.get(loc) || new Set()).has(i);

  function selected() {
    const from = $("f-from").value, to = $("f-to").value, loc = $("f-locality").value;
    const pages = $("f-page").value ? $("f-page").value.split(",").map(Number) : null;
    const out = [];
    D.articles.forEach((a, i) => {
      if (from && a.date < from) return;
      if (to && a.date > to) return;
      if (pages && !pages.includes(a.page)) return;
      if (loc && !inLocality(i, loc)) return;
      out.push(i);
    });
    return out;
  }

  // Per selected article: official person keys, and resolved non-NIL agency ids.
  function appearances(idx) {
    const rows = [];
    for (const i of idx) {
      const people = new Map(), orgs = new Set();
      for (const m of byArticle[i]) {
        if (m[3] === "PERSON" && m[6]) people.set(m[5], personName(m[5], i, D.articles[i].text.slice(m[1], m[2])));
        if (m[3] === "ORG" && m[4] && !m[4].startsWith("nil:") && ent(m[4]).kind !== "nil") orgs.add(m[4]);
      }
      rows.push({ i: i, people: people, orgs: orgs });
    }
    return rows;
  }

  function topPeople(rows, n) {
    const count = new Map(), names = new Map();
    for (const r of rows) for (const [k, name] of r.people) { count.set(k, (count.get(k) || 0) + 1); names.set(k, name); }
    const keys = [...count.keys()].sort((a, b) => count.get(b) - count.get(a) || names.get(a).localeCompare(names.get(b)));
    const top = keys.slice(0, n);
    const seen = {}; for (const k of top) seen[names.get(k)] = (seen[names.get(k)] || 0) + 1;
    return top.map((k) => ({ key: k, label: seen[names.get(k)] > 1 ? names.get(k) + " (" + k + ")" : names.get(k) }));
  }

  // An axis of article counts: whole numbers, one tick per count only while there are few.
  const countAxis = (max) => Object.assign({ title: { text: "articles" }, rangemode: "tozero", tickformat: "d" },
    max <= 10 ? { dtick: 1 } : {});
  // The top margin holds Plotly's toolbar (26 px at the top right), so it never covers the
  // plot: on the town chart it sat on the top bar, the most covered town.
  const TOOLBAR = 36;
  const NARROW = 600;  // px: a phone's chart
  const layout = (extra) => Object.assign({ font: FONT, showlegend: true, autosize: true },
    extra, { margin: Object.assign({ l: 50, r: 20, b: 50 }, extra.margin || {}, { t: TOOLBAR }) });
  const config = { displaylogo: false, responsive: true, displayModeBar: true };

  // Every period of the selection, as pipeline/report/data.py (timeline_freq, time_axis) makes
  // it: each issue date, or each month from the first article's to the last's when they span
  // more than 62 days, months without an issue included.  A person absent from a period is a 0
  // there, so a line drops instead of running straight across months of absence.
  const MONTHLY_AFTER_DAYS = 62;
  function periods(idx) {
    const dates = [...new Set(idx.map((i) => D.articles[i].date))].sort();
    const span = dates.length ? (Date.parse(dates[dates.length - 1]) - Date.parse(dates[0])) / 864e5 : 0;
    if (span <= MONTHLY_AFTER_DAYS) return { monthly: false, xs: dates, span: span, period: (d) => d };
    const month = (d) => { const [y, m] = d.split("-").map(Number); return y * 12 + m - 1; };
    const xs = [];
    for (let n = month(dates[0]); n <= month(dates[dates.length - 1]); n++)
      xs.push(Math.floor(n / 12) + "-" + String((n % 12) + 1).padStart(2, "0") + "-01");
    return { monthly: true, xs: xs, span: span, period: (d) => d.slice(0, 7) + "-01" };
  }

  // Lines that coincide stay apart: each series has its own dash, marker and width (the first
  // widest, so a later one drawn over it leaves its edges showing).
  const DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];
  const SYMBOLS = ["circle-open", "square-open", "diamond-open", "triangle-up-open", "x-thin-open", "cross-thin-open"];
  const seriesStyle = (k) => ({ line: { dash: DASHES[k % 6], width: 4 - 0.5 * (k % 6) },
    marker: { symbol: SYMBOLS[k % 6], size: 13 - 1.5 * (k % 6), line: { width: 2 } } });

  function drawTimeline(rows, idx) {
    const axis = periods(idx);
    const traces = topPeople(rows, 5).map((p, k) => {
      const per = new Map();
      for (const r of rows) if (r.people.has(p.key)) { const x = axis.period(D.articles[r.i].date); per.set(x, (per.get(x) || 0) + 1); }
      return Object.assign({ type: "scatter", mode: "lines+markers", name: p.label, x: axis.xs,
        y: axis.xs.map((x) => per.get(x) || 0) }, seriesStyle(k));
    });
    const width = $("chart-timeline").clientWidth || 600, ticks = Math.max(2, Math.floor(width / 90));
    const dtick = axis.monthly ? "M" + Math.max(1, Math.ceil(axis.xs.length / ticks))
      : 864e5 * Math.max(1, Math.ceil((axis.span + 1) / ticks));
    Plotly.react("chart-timeline", traces, layout({ legend: { orientation: "h", y: -0.3, yanchor: "top" },
      xaxis: { type: "date", tickformat: axis.monthly ? "%Y-%m" : "%Y-%m-%d", dtick: dtick, automargin: true,
        title: { text: width < NARROW ? "" : axis.monthly ? "month" : "issue date" } },  // narrow: the legend needs the room
      yaxis: countAxis(Math.max(0, ...traces.flatMap((tr) => tr.y))) }), config);
  }

  function drawTowns(idx) {
    const count = new Map();
    const places = D.localities.filter((l) => l[2] === "town");
    for (const [id] of places) count.set(id, 0);
    for (const i of idx) for (const [id] of places) if (inLocality(i, id)) count.set(id, count.get(id) + 1);
    const towns = places.filter(([id]) => count.get(id) > 0).sort((a, b) => count.get(a[0]) - count.get(b[0]));
    Plotly.react("chart-towns", [{ type: "bar", orientation: "h", x: towns.map(([id]) => count.get(id)),
      y: towns.map(([, name]) => name), marker: { color: "#4c72b0" }, name: "articles" }],
      layout({ showlegend: false, margin: { l: 10, r: 20, b: 40 }, yaxis: { automargin: true },
        xaxis: countAxis(Math.max(0, ...towns.map(([id]) => count.get(id)))) }), config);
  }

  function arc(n, lo, hi) { return Array.from({ length: n }, (_, i) => lo + (hi - lo) * (i + 1) / (n + 1)); }

  function drawNetwork(rows) {
    const pair = new Map(), names = new Map();
    for (const r of rows) for (const [k, name] of r.people) { names.set(k, name); for (const o of r.orgs) { const key = k + "\u0000" + o; pair.set(key, (pair.get(key) || 0) + 1); } }
    const most = ($("chart-network").clientWidth || 800) < NARROW ? 12 : 30;  // a phone has room for fewer labels
    const pairs = [...pair.entries()].sort((a, b) => b[1] - a[1]).slice(0, most).map(([k, n]) => [...k.split("\u0000"), n]);
    const people = [...new Set(pairs.map((p) => p[0]))], orgs = [...new Set(pairs.map((p) => p[1]))];
    const pos = new Map();
    arc(people.length, 1.5 * Math.PI, 0.5 * Math.PI).forEach((t, i) => pos.set("o" + people[i], [Math.cos(t), Math.sin(t)]));
    arc(orgs.length, -0.5 * Math.PI, 0.5 * Math.PI).forEach((t, i) => pos.set("a" + orgs[i], [Math.cos(t), Math.sin(t)]));
    const wmax = Math.max(1, ...pairs.map((p) => p[2]));
    const edges = pairs.map(([o, a, n]) => ({ type: "scatter", mode: "lines", hoverinfo: "skip", showlegend: false,
      x: [pos.get("o" + o)[0], pos.get("a" + a)[0]], y: [pos.get("o" + o)[1], pos.get("a" + a)[1]],
      line: { color: "#999", width: 0.5 + 5 * n / wmax } }));
    // Labels sit beside the circle; the x range leaves them room at this width, and names too
    // long for a narrow screen are cut (the whole name on hover), so nothing is clipped.
    const fit = labelFit(people.map((k) => names.get(k)).concat(orgs.map((k) => ent(k).name)));
    const nodes = (keys, side, label, color, where) => {
      const full = keys.map((k) => (side === "o" ? names.get(k) : ent(k).name));
      return { type: "scatter", mode: "markers+text", name: label, textposition: where,
        x: keys.map((k) => pos.get(side + k)[0]), y: keys.map((k) => pos.get(side + k)[1]), text: full.map(fit.cut),
        hovertext: full.map((n, i) => n + " · " + keys[i]), hoverinfo: "text", marker: { size: 12, color: color } };
    };
    Plotly.react("chart-network", edges.concat([nodes(people, "o", "officials", "#dd8452", "middle left"),
      nodes(orgs, "a", "agencies", "#55a868", "middle right")]),
      layout({ legend: { orientation: "h", y: -0.05 }, margin: { l: 10, r: 10, b: 30 },
        xaxis: { visible: false, range: [-fit.range, fit.range] }, yaxis: { visible: false, range: [-1.2, 1.2] } }), config);
  }

  // The network's half-width in axis units so a label of n characters fits beside a node at
  // x = ±1 (a label needs (R - 1) of the R units each side), and the cut that makes it fit.
  function labelFit(labels) {
    const width = Math.max(200, ($("chart-network").clientWidth || 800) - 20), px = FONT.size + 1;
    const room = 0.4 * width - 12;  // at most 40% of the width each side for labels
    const chars = Math.max(2, Math.min(Math.max(1, ...labels.map((l) => String(l).length)), Math.floor(room / px)));
    const need = chars * px + 12;
    return { range: Math.max(2.2, 1 / (1 - (2 * need) / width)),
      cut: (l) => (String(l).length > chars ? String(l).slice(0, chars - 1) + "…" : String(l)) };
  }

  function highlighted(i) {
    const a = D.articles[i], text = a.text;
    let out = "", pos = 0;
    for (const m of byArticle[i]) {
      if (m[1] < pos) continue; // overlapping span: keep the first
      const id = m[4], title = (id || "unresolved") + (m[7] ? " · " + m[7] : "");
      const cls = "m " + m[3] + (m[6] ? " official" : "");
      out += esc(text.slice(pos, m[1]));
      const surface = esc(text.slice(m[1], m[2]));
      out += id ? '<a class="' + cls + '" href="#' + anchor(id) + '" title="' + esc(title) + '" data-entity="' + esc(id) + '">' + surface + "</a>"
        : '<span class="' + cls + '" title="' + esc(title) + '">' + surface + "</span>";
      pos = m[2];
    }
    return out + esc(text.slice(pos));
  }

  let current = [];
  function renderArticles(idx) {
    const box = $("articles");
    box.innerHTML = idx.length ? "" : '<p class="empty">No article passes the filters.</p>';
    for (const i of idx.slice(0, shown)) {
      const a = D.articles[i], el = document.createElement("article");
      el.id = "a-" + i;
      el.innerHTML = "<h3>" + esc(a.headline || "(no headline)") + '</h3><p class="meta">' + esc(a.date) + " · page " + a.page +
        (a.page_inferred ? " (not in the source)" : "") + " · " + esc(a.id) + '</p><div class="text">' + highlighted(i) + "</div>";
      box.appendChild(el);
    }
    $("more").hidden = idx.length <= shown;
  }

  function renderEntities(idx) {
    const count = new Map();
    for (const i of idx) for (const id of new Set(byArticle[i].map((m) => m[4]).filter(Boolean))) count.set(id, (count.get(id) || 0) + 1);
    const ids = [...count.keys()].sort((a, b) => count.get(b) - count.get(a) || a.localeCompare(b));
    $("entities").tBodies[0].innerHTML = ids.map((id) => { const e = ent(id);
      return '<tr id="' + anchor(id) + '"><td>' + esc(id) + "</td><td>" + esc(e.name || "") + "</td><td>" + esc(e.type || "") +
        "</td><td>" + esc(e.kind || "") + "</td><td>" + count.get(id) + "</td></tr>"; }).join("");
  }

  function render() {
    const idx = selected();
    current = idx;
    const rows = appearances(idx);
    const nMentions = idx.reduce((n, i) => n + byArticle[i].length, 0);
    $("summary").textContent = idx.length + " of " + D.articles.length + " articles, " + nMentions + " mentions, " +
      new Set(idx.map((i) => D.articles[i].date)).size + " issues";
    document.body.dataset.mentions = String(nMentions);
    drawTimeline(rows, idx);
    drawTowns(idx);
    drawNetwork(rows);
    renderArticles(idx);
    renderEntities(idx);
    document.body.dataset.rendered = String(idx.length);
    document.body.dataset.errors = String(window.__reportErrors.length);
    document.body.dataset.font = document.fonts && document.fonts.check("13px '" + window.REPORT_FONT + "'", "平湖") ? "loaded" : "missing";
  }

  setUpControls();
  (document.fonts ? document.fonts.load("13px '" + window.REPORT_FONT + "'") : Promise.resolve()).then(render, render);
})();
