// "Explain this step": the numbers of one training step, layer by layer, as explain_step computed them.
// Every matrix keeps its full-precision values in data-values (JSON), and shows them rounded.

const MAX_ROWS = 10;   // rows (samples) shown of batch-sized matrices

function fmt(v) {
  if (v === null || v === undefined) return "NaN";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(4);
}

function matrix(parent, layer, field, label, values, note = "") {
  const box = document.createElement("div");
  box.className = "matrix-box";
  const title = document.createElement("div");
  title.className = "matrix-title";
  title.innerHTML = label;
  box.appendChild(title);
  const table = document.createElement("table");
  table.className = "matrix";
  table.dataset.layer = layer;
  table.dataset.field = field;
  table.dataset.values = JSON.stringify(values);
  const rows = Array.isArray(values[0]) ? values : [values];
  rows.slice(0, MAX_ROWS).forEach(row => {
    const tr = table.insertRow();
    row.forEach(v => {
      const td = tr.insertCell();
      td.textContent = fmt(v);
      if (v !== null) td.className = v > 0 ? "pos" : v < 0 ? "neg" : "";
    });
  });
  box.appendChild(table);
  if (rows.length > MAX_ROWS || note) {
    const more = document.createElement("div");
    more.className = "matrix-note";
    more.textContent = rows.length > MAX_ROWS ? `first ${MAX_ROWS} of ${rows.length} samples` : note;
    box.appendChild(more);
  }
  parent.appendChild(box);
}

const DERIVATIVE = { linear: "1", relu: "[z > 0]", sigmoid: "a\u00B7(1 \u2212 a)", tanh: "1 \u2212 a\u00B2" };

export function renderExplanation(panel, step) {
  const sgd = step.optimizer === "SGD";
  panel.querySelector("#explain-summary").textContent =
    `step ${step.step}: a batch of ${step.y.length} samples, loss ${fmt(step.loss)}, ${step.optimizer} ` +
    `with learning rate ${step.learning_rate} \u2014 ` +
    (step.matches_step ? "\u2713 the model's real step made exactly this update"
      : "\u2717 the model's real step differed from this explanation");
  panel.dataset.step = step.step;
  panel.dataset.matches = step.matches_step;
  const host = panel.querySelector("#explain-layers");
  host.innerHTML = "";
  const batch = document.createElement("div");
  batch.className = "explain-layer";
  batch.innerHTML = `<h3>The batch</h3><p>rows ${step.indices.slice(0, 12).join(", ")}` +
    `${step.indices.length > 12 ? ", \u2026" : ""} of the training data</p>`;
  matrix(batch, "batch", "y", "targets y", step.y);
  host.appendChild(batch);
  const last = step.layers.length - 1;
  step.layers.forEach((layer, i) => {
    const card = document.createElement("div");
    card.className = "explain-layer";
    card.dataset.layer = layer.name;
    const deriv = DERIVATIVE[layer.activation] || `${layer.activation}\u2032(z)`;
    card.innerHTML = `<h3>${layer.name} <small>(${layer.activation})</small></h3>`;
    const forward = document.createElement("div");
    forward.className = "stage";
    forward.innerHTML = "<h4>1. forward</h4>";
    matrix(forward, layer.name, "x", "a_prev (input)", layer.x);
    matrix(forward, layer.name, "W", "W", layer.W);
    matrix(forward, layer.name, "b", "b", layer.b);
    matrix(forward, layer.name, "z", "z = a_prev\u00B7W + b", layer.z);
    matrix(forward, layer.name, "a", `a = ${layer.activation}(z)`, layer.a);
    const backward = document.createElement("div");
    backward.className = "stage";
    backward.innerHTML = i === last
      ? "<h4>2. output error \u03B4 = \u2202L/\u2202z</h4>"
      : `<h4>2. backward \u03B4 = (\u03B4_next\u00B7W_next\u1D40) \u2299 f\u2032(z), f\u2032(z) = ${deriv}</h4>`;
    matrix(backward, layer.name, "delta", "\u03B4", layer.delta);
    const grads = document.createElement("div");
    grads.className = "stage";
    grads.innerHTML = "<h4>3. gradients</h4>";
    matrix(grads, layer.name, "dW", "dW = a_prev\u1D40\u00B7\u03B4", layer.dW);
    matrix(grads, layer.name, "db", "db = \u03A3 \u03B4", layer.db);
    const update = document.createElement("div");
    update.className = "stage";
    update.innerHTML = `<h4>4. update${sgd ? ` W \u2190 W \u2212 ${step.learning_rate}\u00B7dW` : ` (${step.optimizer})`}</h4>`;
    matrix(update, layer.name, "W_new", "W after", layer.W_new);
    matrix(update, layer.name, "b_new", "b after", layer.b_new);
    card.append(forward, backward, grads, update);
    host.appendChild(card);
  });
  panel.querySelector("#explain-text").textContent = step.text;
  const select = panel.querySelector("#explain-sample");
  select.innerHTML = "";
  step.y.forEach((_, s) => {
    const option = document.createElement("option");
    option.value = s;
    option.textContent = `${s + 1} (row ${step.indices[s]})`;
    select.appendChild(option);
  });
  panel.hidden = false;
}
