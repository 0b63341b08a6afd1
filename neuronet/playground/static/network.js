// The network drawn: inputs, hidden layers and the output as columns of nodes (each a small heat map of its
// output over the input plane), weights as SVG edges (width and colour by value), the health monitor's
// findings (dead units greyed, vanishing gradients dashed) and, after a step, that step's numbers.

import { colour, decode, heatmap, sparkline } from "./plots.js";

const HEADER = 76;   // room above the nodes for each column's controls
const MIN_WIDTH = 600;

function el(tag, attrs = {}, parent = null) {
  const node = tag === "svg" || tag === "path" || tag === "g" || tag === "text"
    ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  if (parent) parent.appendChild(node);
  return node;
}

function fmt(v) {
  if (v === null || v === undefined) return "NaN";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(1);
  return v.toFixed(a >= 100 ? 1 : 3);
}

export class NetworkView {
  constructor(container, callbacks) {
    this.container = container;
    this.svg = container.querySelector("#edges");
    this.callbacks = callbacks;   // {onUnits(layer, delta), onActivation(layer, name), activations: [...]}
    this.key = null;
  }

  _layout(columns) {
    const tallest = Math.max(...columns);
    const size = tallest > 10 ? 22 : 34;
    const gap = tallest > 10 ? 10 : 30;
    const height = HEADER + tallest * (size + gap) + 24;
    const width = Math.max(MIN_WIDTH, 100 + (columns.length - 1) * 96);
    const xs = columns.map((_, c) => 50 + c * (width - 100) / Math.max(1, columns.length - 1));
    const ys = columns.map(n => Array.from({ length: n }, (_, j) =>
      HEADER + (tallest - n) * (size + gap) / 2 + j * (size + gap) + size / 2));
    return { size, height, width, xs, ys };
  }

  _build(frame) {
    const net = frame.config.network;
    const features = frame.config.data.features;
    const columns = [features, ...net.layers.map(l => l.units), 1];
    const layout = this._layout(columns);
    this.layout = layout;
    this.columns = columns;
    for (const old of this.container.querySelectorAll(".node, .column-head")) old.remove();
    this.svg.innerHTML = "";
    this.svg.setAttribute("width", layout.width);
    this.svg.setAttribute("height", layout.height);
    this.container.style.height = `${layout.height}px`;
    this.container.style.width = `${layout.width}px`;
    this.edges = [];
    this.gradLabels = [];
    this.layerGroups = [];
    for (let c = 0; c + 1 < columns.length; c++) {
      const group = el("g", { class: "layer-edges", "data-layer": c }, this.svg);
      this.layerGroups.push(group);
      const rows = [];
      for (let i = 0; i < columns[c]; i++) {
        const row = [];
        for (let j = 0; j < columns[c + 1]; j++) {
          const x0 = layout.xs[c] + layout.size / 2, y0 = layout.ys[c][i];
          const x1 = layout.xs[c + 1] - layout.size / 2, y1 = layout.ys[c + 1][j];
          const mid = (x0 + x1) / 2;
          const path = el("path", { d: `M${x0},${y0} C${mid},${y0} ${mid},${y1} ${x1},${y1}`, class: "edge",
            "data-layer": c, "data-from": i, "data-to": j }, group);
          el("title", {}, path);
          row.push(path);
        }
        rows.push(row);
      }
      this.edges.push(rows);
      this.gradLabels.push(el("text", { x: (layout.xs[c] + layout.xs[c + 1]) / 2, y: layout.height - 6,
        class: "grad-label", "text-anchor": "middle" }, this.svg));
    }
    this.nodes = columns.map((n, c) => Array.from({ length: n }, (_, j) => {
      const node = el("div", { class: "node", "data-column": c, "data-unit": j }, this.container);
      node.style.left = `${layout.xs[c] - layout.size / 2}px`;
      node.style.top = `${layout.ys[c][j] - layout.size / 2}px`;
      const canvas = el("canvas", { width: layout.size, height: layout.size }, node);
      canvas.style.width = canvas.style.height = `${layout.size}px`;
      el("div", { class: "node-label" }, node);
      return node;
    }));
    columns.forEach((n, c) => this._head(c, columns, net, frame, layout));
  }

  _head(c, columns, net, frame, layout) {
    const head = el("div", { class: "column-head" }, this.container);
    head.style.left = `${layout.xs[c] - 45}px`;
    if (c === 0) {
      el("div", { class: "head-title", text: "inputs" }, head);
      const names = { 1: "x", 2: "x\u2081, x\u2082" };
      el("div", { class: "head-sub", text: names[columns[0]] || `${columns[0]} features` }, head);
      return;
    }
    if (c === columns.length - 1) {
      const task = frame.task === "regression" ? "linear" : "sigmoid";
      el("div", { class: "head-title", text: "output" }, head);
      el("div", { class: "head-sub", text: task }, head);
      return;
    }
    const k = c - 1;
    const row = el("div", { class: "units" }, head);
    const minus = el("button", { class: "units-minus", "data-layer": k, title: "One neuron fewer", text: "\u2212" }, row);
    const plus = el("button", { class: "units-plus", "data-layer": k, title: "One neuron more", text: "+" }, row);
    el("div", { class: "units-count", text: `${columns[c]} neuron${columns[c] === 1 ? "" : "s"}` }, head);
    minus.addEventListener("click", () => this.callbacks.onUnits(k, -1));
    plus.addEventListener("click", () => this.callbacks.onUnits(k, +1));
    const select = el("select", { class: "activation", "data-layer": k }, head);
    for (const name of this.callbacks.activations) el("option", { value: name, text: name }, select);
    select.value = net.layers[k].activation;
    select.addEventListener("change", () => this.callbacks.onActivation(k, select.value));
  }

  render(frame, explanation, sample) {
    const net = frame.config.network;
    const key = JSON.stringify([frame.config.data.features, net.layers, frame.task]);
    if (key !== this.key) { this._build(frame); this.key = key; }
    const weights = frame.weights;
    const health = frame.health || { problems: [], layers: [], dead_units: [] };
    // a layer named for vanishing gradients, or that gets no gradient at all, has its edges dashed
    const vanishing = new Set(health.problems.filter(p => p.kind === "vanishing" || p.kind === "no_gradient")
      .map(p => p.index));
    const exploding = new Set(health.problems.filter(p => p.kind === "exploding").map(p => p.index));
    const explained = explanation ? explanation.layers : null;
    weights.forEach((layer, c) => {
      const group = this.layerGroups[c];
      group.classList.toggle("vanishing", vanishing.has(c));
      group.classList.toggle("exploding", exploding.has(c));
      layer.W.forEach((row, i) => row.forEach((w, j) => {
        const path = this.edges[c][i][j];
        const v = w ?? 0;
        const [r, g, b] = colour(Math.max(-1, Math.min(1, v)));
        path.setAttribute("stroke", `rgb(${r},${g},${b})`);
        path.setAttribute("stroke-width", Math.min(5, 0.4 + 1.6 * Math.abs(v)).toFixed(2));
        path.dataset.w = String(w);
        let tip = `${layer.name}: W[${i}][${j}] = ${fmt(w)} (input ${i + 1} \u2192 neuron ${j + 1})`;
        if (explained && explained[c]) {
          const e = explained[c];
          tip += `\ndW = ${fmt(e.dW[i][j])}, W after the step = ${fmt(e.W_new[i][j])}`;
        }
        path.firstChild.textContent = tip;
      }));
      const h = health.layers[c];
      this.gradLabels[c].textContent = h && h.grad_rms !== null && h.grad_rms !== undefined
        ? `\u2207 ${h.grad_rms === 0 ? "0" : fmt(h.grad_rms)}` : "";
      this.gradLabels[c].classList.toggle("vanishing", vanishing.has(c));
    });
    this._maps(frame);
    this.nodes.forEach((column, c) => column.forEach((node, j) => {
      const dead = c > 0 && (health.dead_units[c - 1] || []).includes(j);
      node.classList.toggle("dead", dead);
      const label = node.querySelector(".node-label");
      let tip = c === 0 ? `input ${j + 1}` : `${weights[c - 1].name} neuron ${j + 1}: b = ${fmt(weights[c - 1].b[j])}`;
      if (dead) tip += "\ndead: it outputs 0 for every training sample, so it gets no gradient";
      label.textContent = "";
      if (explained && sample !== null && explained[Math.max(0, c - 1)]) {
        if (c === 0) label.textContent = `x ${fmt(explained[0].x[sample][j])}`;
        else {
          const e = explained[c - 1];
          label.textContent = `z ${fmt(e.z[sample][j])} a ${fmt(e.a[sample][j])}\n\u03B4 ${fmt(e.delta[sample][j])}`;
        }
      }
      node.title = tip;
    }));
  }

  _maps(frame) {
    const maps = frame.maps;
    const size = this.layout.size;
    this.nodes.forEach((column, c) => column.forEach((node, j) => {
      const canvas = node.querySelector("canvas");
      const values = c === 0 ? maps.inputs[j] : maps.layers[c - 1][j];
      if (values === undefined) return;
      if (maps.kind === "plane") heatmap(canvas, decode(values), maps.resolution);
      else sparkline(canvas, c === 0 ? values.map(v => v / (Math.abs(values[0]) || 1)) : values);
      canvas.style.width = canvas.style.height = `${size}px`;
    }));
  }
}
