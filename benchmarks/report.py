"""The benchmark report: the goals of issue 18 / BENCHMARKS.md with their verdicts, and the Markdown tables.

``goal_rows(report)`` judges every goal from the figures of one run (ratios between medians measured
interleaved in that run); ``render_markdown(report)`` writes ``results/latest.md``. Both read the dict
``run.py`` builds (and writes as ``latest.json``).
"""

from __future__ import annotations

LABELS = {
    "neuronet": "neuronet",
    "torch": "PyTorch",
    "keras-tensorflow": "Keras/TF",
    "keras-jax": "Keras/JAX",
    "sklearn": "sklearn MLP",
}

# The goal of each row of the throughput tables (the column "goal"); judged in goal_rows.
GOALS = {
    "tiny": "≥ 5× PyTorch, ≥ 1.5× Keras/JAX",
    "mlp": "≥ 1.1× best peer, ≥ 70 % of GEMM peak",
    "cnn": "≥ 1.3× best peer",
    "lstm": "≥ 1.3× best peer",
    "gru": "≥ 2× best peer",
    "autoencoder": "≥ 1.1× best peer",
    "cifar": "≥ 1.0× best peer, peak RSS ≤ ½ lowest peer's",
    "lstm_long": "≥ 1.0× best peer, time/sample ≤ 1.1 × 8 × lstm's",
    "predict_mlp": "≥ 1.0× best peer",
    "predict_cnn": "≥ 1.0× best peer",
}
# (workload, factor, peers the ratio is taken against: None = the fastest peer that ran)
THROUGHPUT_GOALS = [
    ("tiny", 5.0, ("torch",)), ("tiny", 1.5, ("keras-jax",)), ("mlp", 1.1, None), ("autoencoder", 1.1, None),
    ("cnn", 1.3, None), ("lstm", 1.3, None), ("gru", 2.0, None), ("cifar", 1.0, None), ("lstm_long", 1.0, None),
    ("predict_mlp", 1.0, None), ("predict_cnn", 1.0, None),
]
IMPORT_GOAL_S = 0.2
MLP_PEAK_FRACTION = 0.70
LSTM_LONG_STEPS_RATIO = 8  # lstm_long has 400 time steps, lstm 50
LSTM_LONG_TOLERANCE = 1.10
SCALING_FLAG = 1.25  # a scaling point costs more than this × linear: flagged


def fmt(v, spec=".0f", unit=""):
    return "—" if v is None else f"{v:{spec}}{unit}"


def verdict(ok) -> str:
    return "—" if ok is None else ("met" if ok else "not met")


def ratio_cells(report, name, peers, key="samples_per_s"):
    """``neuronet ÷ peer`` for each peer of workload ``name``, and against the fastest peer that ran."""
    res = report["throughput"][name]
    ours = res.get("neuronet", {}).get(key)
    cells = []
    best = None
    for fw in peers:
        theirs = res.get(fw, {}).get(key)
        if ours is not None and theirs:
            cells.append(f"{ours / theirs:.2f}×")
            if fw != "neuronet-baseline":  # another tree of neuronet is an A/B column, not a peer
                best = theirs if best is None or theirs > best else best
        else:
            cells.append("—")
    vs_best = f"{ours / best:.2f}×" if ours is not None and best else "—"
    return cells, vs_best


def _versus(report, name, only=None):
    """(ratio, peer) of neuronet against the fastest peer of ``name`` (or of the peers in ``only``)."""
    res = report.get("throughput", {}).get(name) or {}
    ours = res.get("neuronet", {}).get("samples_per_s")
    peers = {fw: e.get("samples_per_s") for fw, e in res.items()
             if fw != "neuronet" and fw != "neuronet-baseline" and e.get("samples_per_s")
             and (only is None or fw in only)}
    if ours is None or not peers:
        return None, None
    best = max(peers, key=peers.get)
    return ours / peers[best], best


def _peer_label(only) -> str:
    return "best peer" if only is None else " and ".join(LABELS.get(fw, fw) for fw in only)


def goal_rows(report: dict) -> list:
    """Each goal of the issue's table with this run's figure and its verdict ("—" when not measured)."""
    rows = []
    seed = report.get("seed", {})
    ours_fit = seed.get("neuronet", {}).get("fit_s")
    sk_fit = seed.get("sklearn", {}).get("fit_s")
    if ours_fit is not None:
        if sk_fit:
            rows.append(("seed fit faster than sklearn's MLPClassifier",
                         f"{ours_fit:.3f} s, sklearn {sk_fit:.3f} s ({sk_fit / ours_fit:.2f}× faster)",
                         verdict(ours_fit < sk_fit)))
        else:
            rows.append(("seed fit faster than sklearn's MLPClassifier", f"{ours_fit:.3f} s, sklearn not measured",
                         "—"))
    imp = report.get("import", {}).get("neuronet", {}).get("median_s")
    if imp is not None:
        rows.append((f"`import neuronet` ≤ {IMPORT_GOAL_S} s", f"{imp:.3f} s", verdict(imp <= IMPORT_GOAL_S)))
    for name, factor, only in THROUGHPUT_GOALS:
        if name not in report.get("throughput", {}):
            continue
        goal = f"{name} ≥ {factor:g}× {_peer_label(only)}"
        ratio, best = _versus(report, name, only)
        if ratio is None:
            rows.append((goal, "not measured", "—"))
        else:
            rows.append((goal, f"{ratio:.2f}× ({LABELS.get(best, best)})", verdict(ratio >= factor)))
        rows.extend(_extra_goal_rows(report, name, factor, only))
    latency = report.get("latency") or {}
    ours, torch = (latency.get(fw, {}).get("predict_us") for fw in ("neuronet", "torch"))
    if ours is not None:
        value = f"{ours:,.0f} µs, PyTorch {torch:,.0f} µs ({torch / ours:.2f}×)" if torch else f"{ours:,.0f} µs"
        rows.append(("tiny single-sample predict latency ≤ PyTorch's eager forward", value,
                     verdict(ours <= torch) if torch else "—"))
    rows.extend(_rss_rows(report))
    rows.extend(_scaling_rows(report))
    return rows


def _extra_goal_rows(report, name, factor, only) -> list:
    """The second goal of a workload, printed under its throughput goal."""
    res = report["throughput"][name]
    rows = []
    if name == "mlp" and only is None:
        fraction = (report.get("mlp_gemm") or {}).get("neuronet_fraction_of_peak")
        rows.append((f"mlp ≥ {MLP_PEAK_FRACTION:.0%} of the GEMM peak measured in this run",
                     "not measured" if fraction is None else f"{fraction:.0%}",
                     verdict(None if fraction is None else fraction >= MLP_PEAK_FRACTION)))
    if name == "cifar":
        ours = res.get("neuronet", {}).get("peak_rss_mb")
        peers = [e.get("peak_rss_mb") for fw, e in res.items() if fw not in ("neuronet", "neuronet-baseline")
                 and e.get("peak_rss_mb") and e.get("samples_per_s")]
        if ours is not None and peers:
            rows.append(("cifar peak RSS ≤ ½ the lowest peer's", f"{ours:.0f} MB, lowest peer {min(peers):.0f} MB "
                         f"({ours / min(peers):.2f}×)", verdict(ours <= min(peers) / 2)))
    if name == "lstm_long":
        long_sps = res.get("neuronet", {}).get("samples_per_s")
        short_sps = report["throughput"].get("lstm", {}).get("neuronet", {}).get("samples_per_s")
        if long_sps and short_sps:
            # seconds per sample of lstm_long ÷ (8 × seconds per sample of lstm): 1.0 is linear in the length
            r = short_sps / (LSTM_LONG_STEPS_RATIO * long_sps)
            rows.append((f"lstm_long time per sample ≤ {LSTM_LONG_TOLERANCE:g} × 8 × lstm's (cost linear in length)",
                         f"{r:.2f} × 8 × lstm's", verdict(r <= LSTM_LONG_TOLERANCE)))
        else:
            rows.append(("lstm_long time per sample ≤ 1.1 × 8 × lstm's (cost linear in length)",
                         "needs the lstm row in the same run", "—"))
        mem = res.get("neuronet", {}).get("step_memory") or {}
        if mem.get("forward_kept_mb") is not None:
            peers = ", ".join(f"{LABELS.get(fw, fw)} {e['peak_rss_mb']:.0f}" for fw, e in res.items()
                              if fw != "neuronet" and e.get("peak_rss_mb") and e.get("samples_per_s"))
            rows.append(("lstm_long memory for the backward pass stated",
                         f"the forward keeps {mem['forward_kept_mb']:.0f} MB for the backward, a step peaks at "
                         f"{mem['step_peak_mb']:.0f} MB (traced); peak RSS {fmt(res['neuronet'].get('peak_rss_mb'))} MB"
                         + (f" (peers: {peers} MB)" if peers else ""), "stated"))
    return rows


def _rss_rows(report) -> list:
    worst, measured = [], False
    for name, res in [("seed", report.get("seed", {})), *report.get("throughput", {}).items()]:
        ours = res.get("neuronet", {}).get("peak_rss_mb")
        peer_rss = [e.get("peak_rss_mb") for fw, e in res.items()
                    if fw not in ("neuronet", "neuronet-baseline") and e.get("peak_rss_mb")]
        if ours is None or not peer_rss:
            continue
        measured = True
        if ours > min(peer_rss):
            worst.append(f"{name} {ours:.0f} > {min(peer_rss):.0f} MB")
    if not measured:
        return []
    return [("peak RSS ≤ the lowest peer's on every workload", "; ".join(worst) or "all below", verdict(not worst))]


def _scaling_rows(report) -> list:
    points = [p for p in report.get("scaling") or []
              if p.get("status") == "ok" and p.get("framework", "neuronet") == "neuronet"]
    if not points:
        return []
    worse = [f"{p['model']} {p['label']} (time {fmt(p.get('time_vs_linear'), '.2f')}×, memory "
             f"{fmt(p.get('memory_vs_linear'), '.2f')}×)"
             for p in points if max(p.get("time_vs_linear") or 0, p.get("memory_vs_linear") or 0) > SCALING_FLAG]
    value = (f"worse than {SCALING_FLAG:g}× linear: " + "; ".join(worse)) if worse else \
        f"every point within {SCALING_FLAG:g}× linear"
    return [("scaling: cost grows linearly (worse than linear explained or fixed: benchmarks/README.md)", value,
             "met" if not worse else "see README")]


# ---------------------------------------------------------------------------------------------------


def _throughput_table(report, names, fws, peers, title_cells=("workload", "batch")) -> list:
    out = []
    header = [*title_cells, *[LABELS[fw] for fw in fws], *[f"neuronet / {LABELS[fw]}" for fw in peers],
              "neuronet / best peer", "goal"]
    out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in names:
        res = report["throughput"][name]
        cells = []
        for fw in fws:
            entry = res.get(fw, {})
            if entry.get("samples_per_s") is not None:
                runs = [r for r in entry.get("runs", []) if r]
                noisy = len(runs) > 1 and max(runs) > 2 * min(runs)
                cells.append(f"{entry['samples_per_s']:,.0f}" + (" †" if noisy else ""))
            else:
                cells.append(entry.get("status", "skipped") if entry else "skipped")
        ratios, vs_best = ratio_cells(report, name, peers)
        batch = report["batch_sizes"].get(name, "")
        out.append("| " + " | ".join([name, str(batch), *cells, *ratios, vs_best, GOALS.get(name, "")]) + " |")
    out.append("")
    return out


def _header(report) -> list:
    cfg = report["config"]
    m = report["machine"]
    kept = "; OPENBLAS_CORETYPE kept from the environment" if cfg.get("keep_blas_env") else ""
    return [
        "# neuronet benchmarks" + (" (smoke run: tiny sizes, not a measurement)" if cfg["smoke"] else ""),
        "",
        f"- date: {report['date']}",
        f"- command: `{report['command']}`",
        f"- machine: {m.get('cpu', '?')}, {m.get('cores')} cores, Python {m.get('python')}, NumPy "
        f"{m.get('numpy', '?')} ({m.get('blas', '?')}, BLAS threads {m.get('blas_threads', '?')}, OpenBLAS kernel "
        f"{m.get('blas_kernel', '?')}{kept})",
        f"- threads: {cfg.get('threads') or 'each framework’s default (all cores)'}; load average (1, 5, 15 min) "
        f"before {m.get('load_average_before')}, after {m.get('load_average_after')} "
        "(the machine is shared: a load above the core count means other work competed for the cores)",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in sorted(report["versions"].items())),
        f"- method: training samples/s, {cfg['mode_description']}; median of {cfg['repeats']} repeats of ≥ "
        f"{cfg['seconds']} s each, after 3 warm-up steps; frameworks interleaved round-robin in one run, "
        "each in its own process per workload. Ratio = neuronet samples/s ÷ peer samples/s (> 1 means neuronet "
        "is faster).",
        "",
    ]


def render_markdown(report: dict) -> str:
    cfg = report["config"]
    fws = [fw for fw in cfg["frameworks"] if fw != "sklearn"]
    peers = [fw for fw in fws if fw != "neuronet"]
    out = _header(report)
    if report["skipped"]:
        out += ["Skipped (not installed or not working — nothing is filled in for them):", ""]
        out += [f"- {LABELS.get(fw, fw)}: {reason}" for fw, reason in report["skipped"].items()]
        out.append("")

    rows = goal_rows(report)
    limits = report.get("limits") or {}
    if rows:
        out += ["## Goals (issue 18, BENCHMARKS.md) in this run", "", "| goal | this run | verdict |",
                "|---|---|---|"]
        out += [f"| {g} | {v} | {m} |" for g, v, m in rows]
        out.append("")
    if limits:
        out += [f"Physical limits measured in this run (between the mlp repeats, {cfg.get('threads') or 'default'} "
                f"BLAS thread(s)): NumPy float32 GEMM peak {fmt(limits.get('peak_gflops'), '.0f')} GFLOP/s "
                f"(1024³, best of 5); memory bandwidth {fmt(limits.get('bandwidth_gbs'), '.1f')} GB/s (np.copyto of "
                f"256 MB, bytes read + written, best of 5).", ""]

    training = [n for n in cfg["workloads"] if n in report["throughput"] and not n.startswith("predict")]
    predicting = [n for n in cfg["workloads"] if n in report["throughput"] and n.startswith("predict")]
    if training:
        out += ["## Training throughput (samples/s)", ""]
        out += _throughput_table(report, training, fws, peers)
    if predicting:
        out += [f"## Inference: `model.predict` over {report.get('predict_rows', 0):,} rows (samples/s)", "",
                "The model of the named training workload, batches of the size given (PyTorch: its eager forward "
                "under `no_grad` in eval mode, batch by batch, gathered into one NumPy array).", ""]
        out += _throughput_table(report, predicting, fws, peers)
    text = "\n".join(out)
    if "†" in text:
        out += ["† its repeats differ by more than 2× (see `runs` in latest.json): other work hit that framework's "
                "thread pool during a repeat; the median discards one such repeat, not two, so read that ratio "
                "with care or rerun with `--threads 1`.", ""]
    notes = [f"- {name} {LABELS.get(fw, fw)}: {e.get('status')} — {e.get('reason')}"
             for name, res in report["throughput"].items() for fw, e in res.items()
             if e.get("status") != "ok" and e.get("reason")]
    if notes:
        out += ["Not measured:", "", *sorted(set(notes)), ""]
    out += _cpu_table(report, fws, peers, training + predicting)
    if report.get("mlp_gemm"):
        g = report["mlp_gemm"]
        out += [f"mlp: the step's GEMMs are {g['flops_per_step'] / 1e9:.3f} GFLOP, so the GEMM peak above makes "
                f"the ceiling {fmt(g.get('ceiling_samples_per_s'), ',.0f')} samples/s; neuronet reaches "
                f"{fmt(g.get('neuronet_fraction_of_peak'), '.0%')} of it.", ""]
    out += _seed_table(report)
    out += _rss_table(report)
    out += _scaling_table(report)
    out += _latency_table(report)
    out += _op_overhead_table(report)
    return "\n".join(out) + "\n"


def _cpu_table(report, fws, peers, names) -> list:
    if not any(e.get("samples_per_cpu_s") for res in report["throughput"].values() for e in res.values()):
        return []
    out = ["Per CPU-second (samples ÷ the worker's CPU time, all its threads and child processes — "
           "busy-waiting thread pools and neuronet's helper processes included): less sensitive to "
           "other load on the machine than wall time, most of all with `--threads 1`.", "",
           "| " + " | ".join(["workload", *(LABELS[fw] for fw in fws), *(f"neuronet / {LABELS[fw]}" for fw in peers),
                              "neuronet / best peer"]) + " |",
           "|" + "---|" * (2 + len(fws) + len(peers))]
    for name in names:
        res = report["throughput"][name]
        cells = [fmt(res.get(fw, {}).get("samples_per_cpu_s"), ",.0f") for fw in fws]
        ratios, vs_best = ratio_cells(report, name, peers, key="samples_per_cpu_s")
        out.append("| " + " | ".join([name, *cells, *ratios, vs_best]) + " |")
    out.append("")
    return out


def _seed_table(report) -> list:
    cfg = report["config"]
    if not report.get("seed"):
        return []
    out = ["## Seed example end to end", "",
           "make_classification(1000, 20), 80/20 split, Dense(64, relu) → Dense(1, sigmoid), Adam(1e-3), "
           "binary cross-entropy, batch 32, 10 epochs with validation data, then predict. fit = the fit call "
           "(warm: median over repeats after the first run in the process; cold = the first run); total = "
           "build + compile + fit + predict; import = `import X` in a fresh process (median).", "",
           "| framework | import s | fit s (warm) | fit s (cold) | total s | test accuracy | peak RSS MB |",
           "|---|---|---|---|---|---|---|"]
    for fw in cfg["frameworks"]:
        e = report["seed"].get(fw)
        imp = report["import"].get(fw, {}).get("median_s")
        if not e or e.get("fit_s") is None:
            status = "skipped" if not e else f"{e.get('status')}: {e.get('reason')}"
            out.append(f"| {LABELS[fw]} | {fmt(imp, '.3f')} | {status} | | | | |")
            continue
        out.append(f"| {LABELS[fw]} | {fmt(imp, '.3f')} | {e['fit_s']:.3f} | {e['cold_fit_s']:.3f} | "
                   f"{e['total_s']:.3f} | {e['test_accuracy']:.3f} | {fmt(e.get('peak_rss_mb'), '.0f')} |")
    out.append("")
    return out


def _rss_table(report) -> list:
    cfg = report["config"]
    out = ["## Peak RSS per workload (MB)", "",
           "The worker process's ru_maxrss plus its helper processes' peaks, framework import and data included. "
           "neuronet step (traced) = what one training step allocates, from tracemalloc: MB the forward keeps for "
           "the backward / the step's peak.", "",
           "| workload | " + " | ".join(LABELS[fw] for fw in cfg["frameworks"]) + " | neuronet step (traced) |",
           "|---|" + "---|" * (len(cfg["frameworks"]) + 1)]
    for name in ["seed", *cfg["workloads"]]:
        res = report["seed"] if name == "seed" else report["throughput"].get(name)
        if res is None or (name == "seed" and not res):
            continue
        mem = res.get("neuronet", {}).get("step_memory") or {}
        traced = (f"{mem['forward_kept_mb']:.1f} / {mem['step_peak_mb']:.1f}"
                  if mem.get("forward_kept_mb") is not None else "—")
        out.append(f"| {name} | " + " | ".join(fmt(res.get(fw, {}).get("peak_rss_mb"), ".0f")
                                               for fw in cfg["frameworks"]) + f" | {traced} |")
    out.append("")
    return out


def _scaling_table(report) -> list:
    points = report.get("scaling") or []
    if not points:
        return []
    out = ["## Scaling (neuronet)", "",
           "Each point in a fresh process. ms/step: median wall time of a training step (`fit` over a few fixed "
           "batches), CPU = the process's CPU time per step; traced = MB one step allocates (tracemalloc: kept by "
           "the forward for the backward / the step's peak); RSS = the worker's peak RSS. × linear = cost per unit "
           "of work (sample, pixel, time step) ÷ that of the axis's first point (1.00 = linear; above "
           f"{SCALING_FLAG:g} is flagged ◆).", "",
           "| axis | model | point | build | ms/step | CPU ms/step | time × linear | traced MB | memory × linear | "
           "peak RSS MB | |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for p in points:
        build = LABELS.get(p.get("framework", "neuronet"), p.get("framework"))
        label = f"{p['axis']} | {p['model']} | {p['label']} | {build}"
        if p.get("status") != "ok":
            out.append(f"| {label} | {p.get('status')}: {p.get('reason')} | | | | | | |")
            continue
        flag = "◆" if max(p.get("time_vs_linear") or 0, p.get("memory_vs_linear") or 0) > SCALING_FLAG else ""
        out.append(f"| {label} | {p['step_s'] * 1e3:,.2f} | {p['step_cpu_s'] * 1e3:,.2f} | "
                   f"{fmt(p.get('time_vs_linear'), '.2f')} | {p['forward_kept_mb']:.1f} / {p['step_peak_mb']:.1f} | "
                   f"{fmt(p.get('memory_vs_linear'), '.2f')} | {fmt(p.get('peak_rss_mb'))} | {flag} |")
    out.append("")
    for p in points:
        if p.get("status") == "ok" and p.get("memmap_epoch_s") is not None:
            size = f"{p['memmap_mb'] / 1024:.2f} GB" if p["memmap_mb"] >= 1024 else f"{p['memmap_mb']:.1f} MB"
            out += [f"memmap: one epoch of `fit` from a PyDataset over a {size} float32 file "
                    f"({p['memmap_rows']:,} rows × 784, batch {p['batch']}; written in {p['memmap_write_s']:.1f} s and "
                    f"evicted from the page cache first) took {p['memmap_epoch_s']:.1f} s: "
                    f"{p['memmap_step_s'] * 1e3:.2f} ms/step ({p['memmap_step_cpu_s'] * 1e3:.2f} CPU ms) against "
                    f"{p['step_s'] * 1e3:.2f} ms/step from arrays in memory ({p['time_vs_linear']:.2f}×); peak "
                    f"anonymous memory {fmt(p.get('peak_rss_anon_mb'))} MB, peak RSS {fmt(p.get('peak_rss_mb'))} MB "
                    "(RSS counts the file's pages mapped in, which the kernel can drop at any time).", ""]
    return out


def _latency_table(report) -> list:
    if not report.get("latency"):
        return []
    out = ["## Single-sample latency of the tiny model (µs, median)", "",
           "predict = `model.predict(x, verbose=0)` (PyTorch: forward under `no_grad`); "
           "call = `model(x, training=False)` (PyTorch: the same forward in eval mode).", "",
           "| | " + " | ".join(LABELS[fw] for fw in report["latency"]) + " |",
           "|---|" + "---|" * len(report["latency"])]
    for key in ("predict_us", "call_us"):
        out.append(f"| {key[:-3]} | " + " | ".join(fmt(v.get(key), ",.0f") for v in report["latency"].values()) + " |")
    out.append("")
    return out


def _op_overhead_table(report) -> list:
    op = report.get("op_overhead") or {}
    out = ["## Per-op overhead (benchmarks/op_overhead.py)", ""]
    if op.get("status") == "ok":
        out += [f"A chain of {op.get('chain_ops')} elementwise ops on 4×4 float32 tensors (µs per op), and one "
                "20-64-10 MLP training step written with raw ops (µs per step); median of repeats.", "",
                "| figure | µs |", "|---|---|"]
        for key in ("chain_us_per_op", "mlp_step_us"):
            for name, value in (op.get(key) or {}).items():
                cell = value if isinstance(value, str) else f"{value:,.2f}"
                out.append(f"| {name}{' (per op)' if key == 'chain_us_per_op' else ''} | {cell} |")
        out.append("")
    else:
        out += [f"{op.get('status', 'unavailable')}: {op.get('reason', '')}", ""]
    return out
