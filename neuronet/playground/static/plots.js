// Drawing on canvases: the colour scale, heat maps, the data with the decision boundary (or the regression
// curve) and the loss curves. Heat maps arrive as base64 bytes: byte b stands for t = b / 127.5 - 1 in [-1, 1].

const NEGATIVE = [245, 147, 34];   // orange: negative values, class 0
const ZERO = [232, 234, 235];      // light grey: zero
const POSITIVE = [8, 119, 189];    // blue: positive values, class 1

export function colour(t) {
  // t in [-1, 1] -> [r, g, b]
  const s = Math.max(-1, Math.min(1, t));
  const end = s < 0 ? NEGATIVE : POSITIVE;
  const k = Math.abs(s);
  return ZERO.map((z, i) => Math.round(z + (end[i] - z) * k));
}

export function css(t, alpha = 1) {
  const [r, g, b] = colour(t);
  return `rgba(${r},${g},${b},${alpha})`;
}

export function decode(base64) {
  const raw = atob(base64);
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i) / 127.5 - 1;
  return out;
}

// A square heat map of values in [-1, 1] (row-major, top row first) stretched over the whole canvas.
export function heatmap(canvas, values, resolution) {
  const image = new ImageData(resolution, resolution);
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = colour(values[i]);
    image.data.set([r, g, b, 255], 4 * i);
  }
  const tile = document.createElement("canvas");
  tile.width = tile.height = resolution;
  tile.getContext("2d").putImageData(image, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(tile, 0, 0, canvas.width, canvas.height);
}

// A small line plot of one neuron's output along the 1-D input (values clipped to [-1.2, 1.2]).
export function sparkline(canvas, values) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.fillStyle = "#f7f7f7";
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = "#ccc";
  ctx.beginPath(); ctx.moveTo(0, h / 2); ctx.lineTo(w, h / 2); ctx.stroke();
  ctx.strokeStyle = "#0877bd";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  values.forEach((v, i) => {
    const y = h / 2 - Math.max(-1.2, Math.min(1.2, v ?? 0)) / 1.2 * (h / 2 - 2);
    const x = i / (values.length - 1) * w;
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

function dot(ctx, x, y, t, test) {
  ctx.beginPath();
  ctx.arc(x, y, 3.2, 0, 2 * Math.PI);
  ctx.fillStyle = css(t);
  ctx.fill();
  ctx.lineWidth = 1;
  ctx.strokeStyle = test ? "#111" : "#fff";
  ctx.stroke();
}

// The data on the plane over the output's heat map (classification), or the points with the predicted curve.
export function boundary(canvas, data, maps, showTest) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  if (!data) return;
  const e = data.extent;
  if (data.features === 1) {
    const ys = data.train.concat(data.test).map(r => r[1]);
    const lo = Math.min(...ys), hi = Math.max(...ys), pad = 0.15 * (hi - lo || 1);
    const sx = x => (x + e) / (2 * e) * w;
    const sy = y => h - (y - lo + pad) / (hi - lo + 2 * pad) * h;
    ctx.fillStyle = "#fafafa"; ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = "#ddd"; ctx.beginPath(); ctx.moveTo(0, sy(0)); ctx.lineTo(w, sy(0)); ctx.stroke();
    const points = data.train.map(r => [r, false]).concat(showTest ? data.test.map(r => [r, true]) : []);
    for (const [[x, y], test] of points) dot(ctx, sx(x), sy(y), 0.6, test);
    if (maps && maps.kind === "curve") {
      ctx.strokeStyle = "#f59322"; ctx.lineWidth = 2.5; ctx.beginPath();
      maps.x.forEach((x, i) => {
        const y = maps.output[i] ?? 0;
        if (i === 0) ctx.moveTo(sx(x), sy(y)); else ctx.lineTo(sx(x), sy(y));
      });
      ctx.stroke();
    }
    return;
  }
  if (maps && maps.kind === "plane") {
    heatmap(canvas, decode(maps.output), maps.output_resolution);
    ctx.fillStyle = "rgba(255,255,255,0.3)";   // a lighter background, so the points stand out
    ctx.fillRect(0, 0, w, h);
  }
  const px = u => (u + e) / (2 * e) * w;
  const py = v => h - (v + e) / (2 * e) * h;
  const label = y => (data.task === "binary" ? 2 * y - 1 : y);
  for (const r of data.train) dot(ctx, px(r[0]), py(r[1]), label(r[2]), false);
  if (showTest) for (const r of data.test) dot(ctx, px(r[0]), py(r[1]), label(r[2]), true);
  ctx.fillStyle = "rgba(0,0,0,0.55)";
  ctx.font = "11px sans-serif";
  ctx.fillText(data.plane === "inputs" ? `x\u2081, x\u2082 in [\u2212${e}, ${e}]` : "first two principal components",
    6, h - 6);
}

// Training and test loss by epoch.
export function lossChart(canvas, history) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = "#fafafa"; ctx.fillRect(0, 0, w, h);
  const epochs = history.epoch;
  if (!epochs.length) return;
  const all = history.train_loss.concat(history.test_loss).filter(v => v !== null);
  const top = Math.max(...all, 1e-9);
  const last = epochs[epochs.length - 1], first = epochs[0];
  const sx = x => (last === first ? w : (x - first) / (last - first) * (w - 8)) + 4;
  const sy = y => h - 4 - y / top * (h - 14);
  for (const [key, style] of [["train_loss", "#555"], ["test_loss", "#0877bd"]]) {
    ctx.strokeStyle = style; ctx.lineWidth = 1.5; ctx.beginPath();
    let started = false;
    history[key].forEach((v, i) => {
      if (v === null) return;
      if (!started) { ctx.moveTo(sx(epochs[i]), sy(v)); started = true; } else ctx.lineTo(sx(epochs[i]), sy(v));
    });
    ctx.stroke();
  }
  ctx.fillStyle = "#666"; ctx.font = "10px sans-serif";
  ctx.fillText(top.toPrecision(3), 4, 10);
  ctx.textAlign = "right";
  ctx.fillText(`epoch ${last}`, w - 4, 10);
  ctx.textAlign = "left";
}
