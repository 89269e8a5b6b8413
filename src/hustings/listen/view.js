// Hustings network view: draws precomputed layout coordinates in SVG, with pan (drag),
// zoom (wheel or buttons), hover details and a toggle per interaction kind.
// No libraries, no network: the report inlines this file and its data.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("listen-data").textContent);
  var svg = document.getElementById("net");
  var NS = "http://www.w3.org/2000/svg";
  var tip = document.getElementById("net-tip");
  var view = { x: 0, y: 0, k: 1 };
  var root = document.createElementNS(NS, "g");
  svg.appendChild(root);
  var layers = {};
  data.kinds.forEach(function (kind) {
    var g = document.createElementNS(NS, "g");
    g.setAttribute("class", "edges kind-" + kind.name);
    g.setAttribute("stroke", kind.colour);
    root.appendChild(g);
    layers[kind.name] = g;
  });
  var nodeLayer = document.createElementNS(NS, "g");
  root.appendChild(nodeLayer);
  var W = 1000, H = 700, PAD = 30;
  function px(n) { return PAD + n.x * (W - 2 * PAD); }
  function py(n) { return PAD + n.y * (H - 2 * PAD); }
  data.edges.forEach(function (e) {
    var a = data.nodes[e.s], b = data.nodes[e.t];
    var line = document.createElementNS(NS, "line");
    line.setAttribute("x1", px(a)); line.setAttribute("y1", py(a));
    line.setAttribute("x2", px(b)); line.setAttribute("y2", py(b));
    line.setAttribute("stroke-width", Math.min(0.5 + Math.log(1 + e.c), 4));
    line.setAttribute("stroke-opacity", "0.35");
    layers[e.k].appendChild(line);
  });
  data.nodes.forEach(function (n) {
    var c = document.createElementNS(NS, "circle");
    c.setAttribute("cx", px(n)); c.setAttribute("cy", py(n));
    c.setAttribute("r", 2 + Math.sqrt(n.d));
    c.setAttribute("fill", n.camp === null ? "#9aa0a6" : data.palette[n.camp % data.palette.length]);
    c.setAttribute("stroke", n.tracked ? "#111" : "#fff");
    c.setAttribute("class", "node");
    c.addEventListener("mouseenter", function (ev) {
      tip.textContent = "@" + n.name + " · " + (n.camp === null ? "no camp" : "camp " + (n.camp + 1)) +
        " · " + n.d + " interactions" + (n.party ? " · " + n.party : "");
      tip.style.display = "block";
      move(ev);
    });
    c.addEventListener("mousemove", move);
    c.addEventListener("mouseleave", function () { tip.style.display = "none"; });
    nodeLayer.appendChild(c);
  });
  function move(ev) {
    var box = svg.parentNode.getBoundingClientRect();
    tip.style.left = (ev.clientX - box.left + 12) + "px";
    tip.style.top = (ev.clientY - box.top + 12) + "px";
  }
  function apply() {
    root.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
  }
  function zoom(factor, cx, cy) {
    var k = Math.max(0.2, Math.min(20, view.k * factor));
    view.x = cx - (cx - view.x) * (k / view.k);
    view.y = cy - (cy - view.y) * (k / view.k);
    view.k = k;
    apply();
  }
  function toSvg(ev) {
    var r = svg.getBoundingClientRect();
    return [(ev.clientX - r.left) * (W / r.width), (ev.clientY - r.top) * (H / r.height)];
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = toSvg(ev);
    zoom(ev.deltaY < 0 ? 1.2 : 1 / 1.2, p[0], p[1]);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("mousedown", function (ev) { drag = toSvg(ev); });
  window.addEventListener("mouseup", function () { drag = null; });
  svg.addEventListener("mousemove", function (ev) {
    if (!drag) { return; }
    var p = toSvg(ev);
    view.x += p[0] - drag[0]; view.y += p[1] - drag[1];
    drag = p;
    apply();
  });
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.5, W / 2, H / 2); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 1.5, W / 2, H / 2); });
  document.getElementById("zoom-reset").addEventListener("click", function () {
    view = { x: 0, y: 0, k: 1 }; apply();
  });
  Array.prototype.forEach.call(document.querySelectorAll("input[data-kind]"), function (box) {
    box.addEventListener("change", function () {
      layers[box.getAttribute("data-kind")].style.display = box.checked ? "" : "none";
    });
  });
  svg.setAttribute("data-ready", String(data.nodes.length));
})();
