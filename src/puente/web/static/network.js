// The link chart, drawn as SVG with a small force layout written here: the console works offline and
// carries no third-party code. Pan by dragging the background, zoom with the wheel; click an entity to
// read its links and their records, expand it to draw its neighbours; filter by kind and period; find
// the path to another entity and see it highlighted, hop by hop, with its evidence.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var finder = document.getElementById("nw-open");

  function get(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; });
  }
  function kindName(n, lang) { return lang === "es" ? n.kind_es : n.kind_en; }

  // --- find an entity by name (the chart's start, or a path's end) ----------------------------------
  function look(text, then) {
    if (!text.trim()) { return; }
    get("/network/find?q=" + encodeURIComponent(text)).then(function (found) { then(found || []); });
  }
  if (finder) {
    var box = document.getElementById("nw-find"), list = document.getElementById("nw-found");
    var open = function () {
      look(box.value, function (found) {
        list.innerHTML = "";
        found.forEach(function (n) {
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = "/network?entity=" + encodeURIComponent(n.id);
          a.textContent = n.label + " (" + kindName(n, finder.dataset.lang) + ")";
          li.appendChild(a);
          list.appendChild(li);
        });
        if (!found.length) {
          var li = document.createElement("li");
          li.textContent = finder.dataset.none;
          list.appendChild(li);
        }
      });
    };
    document.getElementById("nw-find-button").addEventListener("click", open);
    box.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); open(); } });
  }

  var root = document.getElementById("network");
  if (!root) { return; }
  var lang = root.dataset.lang;
  var svg = document.getElementById("nw-svg"), view = document.getElementById("nw-view");
  var edgeLayer = document.getElementById("nw-edges"), nodeLayer = document.getElementById("nw-nodes");
  var detail = document.getElementById("nw-detail");
  var nodes = {}, edges = {}, onPath = {}, selected = null;
  var pan = { x: 0, y: 0, k: 1 };

  function edgeKey(e) { return e.a + "|" + e.b + "|" + e.kind; }

  // --- what the chart holds ---------------------------------------------------------------------
  function merge(data, near) {
    var origin = near && nodes[near] ? nodes[near] : { x: 0, y: 0 };
    data.nodes.forEach(function (n, i) {
      if (!nodes[n.id]) {
        var angle = (i / Math.max(data.nodes.length, 1)) * 2 * Math.PI;
        nodes[n.id] = { data: n, x: origin.x + 80 * Math.cos(angle), y: origin.y + 80 * Math.sin(angle), vx: 0, vy: 0 };
      }
    });
    data.edges.forEach(function (e) { edges[edgeKey(e)] = e; });
  }

  function expand(id) {
    return get("/network/around?entity=" + encodeURIComponent(id)).then(function (data) {
      if (!data) { return; }
      merge(data, id);
      layout(200);
      if (selected === id) { select(id); } else { draw(); }
    });
  }

  // --- filters: kinds and period ----------------------------------------------------------------
  function kindsShown() {
    var shown = {};
    document.querySelectorAll(".nw-kind").forEach(function (box) { shown[box.value] = box.checked; });
    return shown;
  }
  function inPeriod(e) {
    var since = document.getElementById("nw-since").value, until = document.getElementById("nw-until").value;
    if (!since && !until) { return true; }
    return e.records.some(function (r) {
      return r.day && r.type !== "person" && (!since || r.day >= since) && (!until || r.day <= until);
    });
  }
  function visibleParts() {
    var kinds = kindsShown(), shownNodes = {}, shownEdges = [];
    Object.keys(nodes).forEach(function (id) {
      if (kinds[nodes[id].data.kind] !== false || id === root.dataset.start) { shownNodes[id] = true; }
    });
    Object.keys(edges).forEach(function (k) {
      var e = edges[k];
      if (shownNodes[e.a] && shownNodes[e.b] && inPeriod(e)) { shownEdges.push(e); }
    });
    return { nodes: shownNodes, edges: shownEdges };
  }

  // --- layout: springs along links, every pair repelling, a pull to the centre ------------------
  function layout(steps) {
    var ids = Object.keys(nodes);
    var list = Object.keys(edges).map(function (k) { return edges[k]; });
    for (var s = 0; s < steps; s++) {
      var heat = 1 - s / steps;
      for (var i = 0; i < ids.length; i++) {
        var a = nodes[ids[i]];
        for (var j = i + 1; j < ids.length; j++) {
          var b = nodes[ids[j]], dx = a.x - b.x, dy = a.y - b.y, d2 = dx * dx + dy * dy + 0.01;
          var f = 900 / d2;
          a.vx += dx * f; a.vy += dy * f; b.vx -= dx * f; b.vy -= dy * f;
        }
        a.vx -= a.x * 0.01; a.vy -= a.y * 0.01;
      }
      list.forEach(function (e) {
        var a = nodes[e.a], b = nodes[e.b];
        if (!a || !b) { return; }
        var dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) + 0.01, f = (d - 90) * 0.02;
        a.vx += dx / d * f; a.vy += dy / d * f; b.vx -= dx / d * f; b.vy -= dy / d * f;
      });
      ids.forEach(function (id) {
        var n = nodes[id], cap = 20 * heat + 1;
        n.x += Math.max(-cap, Math.min(cap, n.vx)); n.y += Math.max(-cap, Math.min(cap, n.vy));
        n.vx *= 0.5; n.vy *= 0.5;
      });
    }
  }

  // --- drawing ----------------------------------------------------------------------------------
  function el(name, attrs) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function draw() {
    var parts = visibleParts();
    edgeLayer.innerHTML = "";
    nodeLayer.innerHTML = "";
    parts.edges.forEach(function (e) {
      var a = nodes[e.a], b = nodes[e.b];
      var line = el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, "class": "nw-edge kind-" + e.kind + (onPath[edgeKey(e)] ? " on-path" : ""),
                               "stroke-width": Math.min(1 + e.weight, 6), "data-key": edgeKey(e) });
      var title = el("title", {});
      title.textContent = lang === "es" ? e.why_es : e.why_en;
      line.appendChild(title);
      edgeLayer.appendChild(line);
    });
    Object.keys(parts.nodes).forEach(function (id) {
      var n = nodes[id], d = n.data;
      var g = el("g", { "class": "nw-node kind-" + d.kind + (id === selected ? " selected" : "") + (onPath[id] ? " on-path" : ""),
                        transform: "translate(" + n.x + "," + n.y + ")", "data-id": id, tabindex: "0", role: "button" });
      g.appendChild(el("circle", { r: id === root.dataset.start ? 12 : 9 }));
      var label = el("text", { x: 13, y: 4 });
      label.textContent = d.label;
      g.appendChild(label);
      g.addEventListener("click", function (ev) { ev.stopPropagation(); select(id); });
      g.addEventListener("dblclick", function (ev) { ev.stopPropagation(); expand(id); });
      g.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { select(id); } });
      nodeLayer.appendChild(g);
    });
    view.setAttribute("transform", "translate(" + pan.x + "," + pan.y + ") scale(" + pan.k + ")");
  }

  function select(id) {
    selected = id;
    var d = nodes[id].data;
    detail.innerHTML = "";
    var h = document.createElement("h2");
    h.textContent = d.label;
    var kind = document.createElement("p");
    kind.className = "muted small";
    kind.textContent = kindName(d, lang) + " · " + d.id + (d.first ? " · " + d.first + " – " + d.last : "");
    var button = document.createElement("button");
    button.type = "button";
    button.id = "nw-expand";
    button.textContent = root.dataset.expand + (d.degree ? " (" + d.degree + ")" : "");
    button.addEventListener("click", function () { expand(id); });
    var links = document.createElement("ul");
    links.id = "nw-links";
    Object.keys(edges).forEach(function (k) {
      var e = edges[k];
      if (e.a !== id && e.b !== id) { return; }
      var li = document.createElement("li");
      li.textContent = (lang === "es" ? e.why_es : e.why_en) + " ";
      e.records.slice(0, 5).forEach(function (r) {
        var a = document.createElement("a");
        a.href = "/record/" + encodeURIComponent(r.id);
        a.textContent = "[" + r.title + "]";
        li.appendChild(a);
        li.appendChild(document.createTextNode(" "));
      });
      links.appendChild(li);
    });
    [h, kind, button, links].forEach(function (x) { detail.appendChild(x); });
    draw();
  }

  // --- the path to another entity ---------------------------------------------------------------
  function showPath(target) {
    var hops = document.getElementById("nw-hops"), section = document.getElementById("nw-path");
    get("/network/path?source=" + encodeURIComponent(root.dataset.start) + "&target=" + encodeURIComponent(target))
      .then(function (found) {
        section.hidden = false;
        hops.innerHTML = "";
        onPath = {};
        if (!found || !found.length) {
          hops.innerHTML = "";
          var li = document.createElement("li");
          li.textContent = root.dataset.noPath;
          hops.appendChild(li);
          draw();
          return;
        }
        var best = found[0];
        merge({ nodes: best.nodes, edges: [] }, root.dataset.start);
        best.nodes.forEach(function (n) { onPath[n.id] = true; });
        best.hops.forEach(function (hop) {
          hop.edges.forEach(function (e) { edges[edgeKey(e)] = e; onPath[edgeKey(e)] = true; });
          var li = document.createElement("li");
          li.className = "hop";
          li.textContent = hop.edges.map(function (e) { return lang === "es" ? e.why_es : e.why_en; }).join(" ");
          hops.appendChild(li);
        });
        layout(200);
        draw();
      });
  }
  document.getElementById("nw-path-button").addEventListener("click", function () {
    look(document.getElementById("nw-target").value, function (found) {
      var others = found.filter(function (n) { return n.id !== root.dataset.start; });
      if (others.length) { showPath(others[0].id); } else { showPath("none"); }
    });
  });

  // --- pan and zoom -----------------------------------------------------------------------------
  var dragging = null;
  svg.addEventListener("mousedown", function (e) { dragging = { x: e.clientX, y: e.clientY }; });
  window.addEventListener("mouseup", function () { dragging = null; });
  window.addEventListener("mousemove", function (e) {
    if (!dragging) { return; }
    var scale = 1000 / svg.clientWidth;
    pan.x += (e.clientX - dragging.x) * scale; pan.y += (e.clientY - dragging.y) * scale;
    dragging = { x: e.clientX, y: e.clientY };
    view.setAttribute("transform", "translate(" + pan.x + "," + pan.y + ") scale(" + pan.k + ")");
  });
  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    pan.k = Math.max(0.2, Math.min(5, pan.k * (e.deltaY < 0 ? 1.15 : 1 / 1.15)));
    view.setAttribute("transform", "translate(" + pan.x + "," + pan.y + ") scale(" + pan.k + ")");
  }, { passive: false });

  document.querySelectorAll(".nw-kind, #nw-since, #nw-until").forEach(function (input) {
    input.addEventListener("change", draw);
  });

  // --- the chart as an image: the drawing itself, as an SVG file --------------------------------
  document.getElementById("nw-image").addEventListener("click", function () {
    var copy = svg.cloneNode(true);
    copy.setAttribute("xmlns", NS);
    var style = el("style", {});
    style.textContent = "circle{fill:#2b6cb0}text{font:11px sans-serif}line{stroke:#888}.on-path{stroke:#d53f8c}";
    copy.insertBefore(style, copy.firstChild);
    var blob = new Blob([new XMLSerializer().serializeToString(copy)], { type: "image/svg+xml" });
    this.href = URL.createObjectURL(blob);
  });

  selected = root.dataset.start;
  expand(root.dataset.start);
})();
