// The page's controller: settings from the controls to the server (JSON POSTs), frames from the server to the
// drawing (Server-Sent Events), and every refusal shown in the message bar.

import { boundary, lossChart } from "./plots.js";
import { NetworkView } from "./network.js";
import { renderExplanation } from "./explain.js";

const $ = id => document.getElementById(id);
const state = { session: null, config: null, frame: null, data: null, explanation: null, events: null,
  choices: null, running: false };

function showMessage(text, level = "error") {
  const bar = $("message");
  bar.textContent = text;
  bar.className = level;
  bar.hidden = !text;
}

async function post(command, body = {}) {
  let response;
  try {
    response = await fetch(`/api/${command}`, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(command === "session" ? body : { session: state.session, ...body }) });
  } catch (err) {
    showMessage(`the playground server does not answer (${err.message}); is it still running?`);
    throw err;
  }
  const reply = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) {
    if (response.status === 404 && command !== "session" && /session/.test(reply.error)) await start();
    showMessage(reply.error || `HTTP ${response.status}`);
    throw new Error(reply.error);
  }
  if ($("message").className === "error" && !(state.frame && state.frame.message)) showMessage("");
  return reply;
}

// --- settings from the controls ----------------------------------------------------------------------------

function number(id) {
  const text = $(id).value.trim();
  return text === "" ? NaN : Number(text);
}

function readData() {
  return { dataset: $("dataset").value, samples: number("samples"), noise: number("noise"),
    test_fraction: number("test-fraction"), features: number("features"), seed: number("data-seed") };
}

function readNetwork(layers) {
  return { layers, optimizer: $("optimizer").value, learning_rate: number("learning-rate"),
    batch_size: number("batch-size"), regularization: $("regularization").value,
    regularization_rate: number("regularization-rate"), seed: state.config.network.seed };
}

async function configure(data, network) {
  state.explanation = null;
  try {
    await post("configure", { data, network });
    showMessage("");
  } catch (err) { /* shown; the playground keeps its previous settings */ }
}

function changeLayers(edit) {
  const layers = state.config.network.layers.map(l => ({ ...l }));
  edit(layers);
  configure(readData(), readNetwork(layers));
}

function fillControls(config) {
  const d = config.data, n = config.network;
  $("dataset").value = d.dataset;
  $("samples").value = d.samples;
  $("noise").value = d.noise;
  $("noise-value").textContent = d.noise;
  $("test-fraction").value = d.test_fraction;
  $("test-fraction-value").textContent = `${Math.round(d.test_fraction * 100)} %`;
  $("features").value = d.features;
  $("features-label").hidden = d.dataset !== "classification";
  $("data-seed").value = d.seed;
  $("optimizer").value = n.optimizer;
  $("learning-rate").value = n.learning_rate;
  $("batch-size").value = n.batch_size;
  $("regularization").value = n.regularization;
  $("regularization-rate").value = n.regularization_rate;
  $("layer-count").textContent = `${n.layers.length} hidden layer${n.layers.length === 1 ? "" : "s"}`;
  $("data-hint").textContent = d.dataset === "classification"
    ? "The guide's example uses 20 features; with more than 2 the plane is that of the first two principal "
      + "components." : "";
}

function options(select, names) {
  for (const name of names) {
    const option = document.createElement("option");
    option.value = option.textContent = name;
    select.appendChild(option);
  }
}

// --- frames ------------------------------------------------------------------------------------------------

let view;

function render() {
  const frame = state.frame;
  if (!frame) return;
  const sample = state.explanation ? Number($("explain-sample").value || 0) : null;
  view.render(frame, state.explanation, sample);
  boundary($("boundary"), state.data, frame.maps, $("show-test").checked);
  lossChart($("loss-chart"), frame.history);
}

function onFrame(frame) {
  const configChanged = JSON.stringify(frame.config) !== JSON.stringify(state.config);
  state.frame = frame;
  state.running = frame.running;
  if (configChanged) {
    state.config = frame.config;
    fillControls(frame.config);
  }
  $("epoch").textContent = frame.epoch;
  $("steps").textContent = frame.steps;
  const m = frame.metrics;
  const show = v => (v === null ? "NaN" : v.toFixed(3));
  $("test-loss").textContent = show(m.test_loss);
  $("train-loss").textContent = show(m.train_loss);
  $("metric-name").textContent = m.metric === "accuracy" ? "Test accuracy" : "Test MAE";
  $("test-metric").textContent = show(m.test_metric);
  $("test-metric").dataset.value = m.test_metric;
  $("train").innerHTML = frame.running ? "&#x23F8; Pause" : "&#x25B6; Train";
  $("train").classList.toggle("running", frame.running);
  document.body.dataset.running = frame.running;
  document.body.dataset.config = JSON.stringify(frame.config);
  document.body.dataset.epoch = frame.epoch;
  if (frame.message) showMessage(frame.message.text, frame.message.level);
  renderHealth(frame.health);
  render();
}

function renderHealth(health) {
  const list = $("problems");
  list.innerHTML = "";
  const problems = (health && health.problems) || [];
  if (health && health.error) problems.push({ kind: "error", evidence: `the monitor failed: ${health.error}` });
  if (!problems.length) {
    const li = document.createElement("li");
    li.className = "ok";
    li.textContent = "No problems found: the gradients reach every layer and the units are alive.";
    list.appendChild(li);
    return;
  }
  for (const p of problems) {
    const li = document.createElement("li");
    li.className = `problem ${p.kind}`;
    li.dataset.kind = p.kind;
    li.innerHTML = `<b>${p.kind.replace("_", " ")}</b> <span class="evidence"></span>`
      + (p.remedy ? `<div class="remedy">Remedy: <span></span></div>` : "");
    li.querySelector(".evidence").textContent = p.evidence;
    if (p.remedy) li.querySelector(".remedy span").textContent = p.remedy;
    list.appendChild(li);
  }
}

function listen() {
  if (state.events) state.events.close();
  const events = new EventSource(`/api/events?session=${state.session}`);
  state.events = events;
  events.addEventListener("data", e => { state.data = JSON.parse(e.data); render(); });
  events.addEventListener("frame", e => onFrame(JSON.parse(e.data)));
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) start();   // the session is gone (server restarted): a new one
  };
}

async function start() {
  const reply = await post("session", state.config ? { data: state.config.data, network: state.config.network } : {});
  state.session = reply.session;
  $("export-keras").href = `/api/export.keras?session=${state.session}`;
  listen();
}

// --- wiring ------------------------------------------------------------------------------------------------

async function main() {
  const choices = await (await fetch("/api/config")).json();
  state.choices = choices;
  options($("dataset"), choices.datasets);
  options($("optimizer"), choices.optimizers);
  options($("regularization"), choices.regularizers);
  view = new NetworkView($("network"), {
    activations: choices.activations,
    onUnits: (k, delta) => changeLayers(layers => { layers[k].units += delta; }),
    onActivation: (k, name) => changeLayers(layers => { layers[k].activation = name; }),
  });
  for (const id of ["dataset", "samples", "noise", "test-fraction", "features", "data-seed"]) {
    $(id).addEventListener("change", () => configure(readData(), readNetwork(state.config.network.layers)));
  }
  $("noise").addEventListener("input", () => { $("noise-value").textContent = $("noise").value; });
  $("test-fraction").addEventListener("input", () => {
    $("test-fraction-value").textContent = `${Math.round(Number($("test-fraction").value) * 100)} %`;
  });
  for (const id of ["optimizer", "learning-rate", "batch-size", "regularization", "regularization-rate"]) {
    $(id).addEventListener("change", () => configure(null, readNetwork(state.config.network.layers)));
  }
  $("add-layer").addEventListener("click", () => changeLayers(layers => {
    layers.push({ units: layers.length ? layers[layers.length - 1].units : 4, activation: "tanh" });
  }));
  $("remove-layer").addEventListener("click", () => changeLayers(layers => { layers.pop(); }));
  $("train").addEventListener("click", () => {
    state.explanation = null;
    post(state.running ? "pause" : "train").catch(() => {});
  });
  $("reset").addEventListener("click", () => { state.explanation = null; post("reset").catch(() => {}); });
  $("step").addEventListener("click", async () => {
    try {
      if (state.running) await post("pause");
      const step = await post("step");
      state.explanation = step;
      renderExplanation($("explain-panel"), step);
      showMessage("");
      render();
    } catch (err) { /* shown */ }
  });
  $("explain-sample").addEventListener("change", render);
  $("show-test").addEventListener("change", render);
  $("export-script").addEventListener("click", async () => {
    const response = await fetch(`/api/export.py?session=${state.session}`);
    if (!response.ok) { showMessage((await response.json()).error); return; }
    const text = await response.text();
    $("script").value = text;
    const link = $("download-script");
    link.href = URL.createObjectURL(new Blob([text], { type: "text/x-python" }));
    link.download = `playground_${state.config.data.dataset}.py`;
    $("script-dialog").showModal();
  });
  $("close-script").addEventListener("click", () => $("script-dialog").close());
  await start();
}

main().catch(err => showMessage(`the page could not start: ${err.message}`));
