"""The installed ``neuronet`` command, run in subprocesses: train/predict/evaluate/summary/demo on CSV
files the tests make, the accuracy against scikit-learn pipelines, the model file on its own, one-line
errors for bad input with nothing written, and Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("sklearn")

from tabular_data import census, housing  # noqa: E402

COMMAND = os.path.join(os.path.dirname(sys.executable), "neuronet")
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "NEURONET_NUM_THREADS": "1"}


def run_cli(*args, cwd=None, timeout=300):
    if not os.path.exists(COMMAND):
        pytest.skip(f"the neuronet command is not installed next to {sys.executable} (pip install -e .)")
    return subprocess.run([COMMAND, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=ENV,
                          timeout=timeout)


def ok(done):
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def census_files(tmp_path_factory):
    """4000 training rows, 2000 test rows (without the label), the trained model and its output."""
    d = tmp_path_factory.mktemp("census")
    frame = census(6000, seed=0)
    train, test = frame.iloc[:4000], frame.iloc[4000:].reset_index(drop=True)
    train.to_csv(d / "train.csv", index=False)
    test.to_csv(d / "test_labelled.csv", index=False)
    test.drop(columns="income").to_csv(d / "test.csv", index=False)
    done = run_cli("train", d / "train.csv", "--target", "income", "--out", d / "income.keras")
    ok(done)
    predicted = run_cli("predict", d / "income.keras", d / "test.csv", "--out", d / "pred.csv", "--keep", "customer_id")
    return {"dir": d, "train": train, "test": test, "train_run": done, "model": d / "income.keras",
            "predict_run": predicted, "pred": pd.read_csv(d / "pred.csv") if predicted.returncode == 0 else None}


def sklearn_logistic_regression(train, test, target):
    """The pipeline a scikit-learn user writes: impute, one-hot encode, scale, LogisticRegression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    features = train.drop(columns=[target, "customer_id"])
    numeric = [c for c in features.columns if features[c].dtype.kind in "if"]
    categorical = [c for c in features.columns if c not in numeric]
    preprocess = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(), StandardScaler()), numeric),
        ("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                      OneHotEncoder(handle_unknown="ignore")), categorical)])
    pipeline = make_pipeline(preprocess, LogisticRegression(max_iter=2000)).fit(features, train[target])
    return pipeline.score(test.drop(columns=[target, "customer_id"]), test[target])


def test_train_reports_and_matches_logistic_regression(census_files):
    run = census_files["train_run"]
    assert "dropped column 'customer_id' (ID-like" in run.stdout
    assert "3 numeric, 7 categorical" in run.stdout  # children (0-5) and owns_home count as categories
    assert "early stopping kept epoch" in run.stdout
    assert "validation (800 rows): accuracy" in run.stdout and "F1" in run.stdout and "AUC" in run.stdout
    assert "training" in run.stderr and "epoch" in run.stderr  # the progress bar
    ok(census_files["predict_run"])
    pred = census_files["pred"]
    ours = float((pred["income"] == census_files["test"]["income"]).mean())
    theirs = sklearn_logistic_regression(census_files["train"], census_files["test"], "income")
    print(f"census test accuracy: neuronet {ours:.4f}, impute+one-hot+scale+LogisticRegression {theirs:.4f}")
    assert ours >= theirs - 0.02


def test_predict_writes_labels_and_probabilities(census_files):
    out = ok(census_files["predict_run"])
    assert "wrote 2000 prediction(s) of 'income'" in out
    pred = census_files["pred"]
    assert list(pred.columns) == ["customer_id", "income", "probability_<=50K", "probability_>50K"]
    assert set(pred["income"]) <= {"<=50K", ">50K"}
    np.testing.assert_allclose(pred[["probability_<=50K", "probability_>50K"]].sum(axis=1), 1.0, atol=1e-5)
    expected = np.where(pred["probability_>50K"] > pred["probability_<=50K"], ">50K", "<=50K")
    np.testing.assert_array_equal(pred["income"], expected)
    np.testing.assert_array_equal(pred["customer_id"], census_files["test"]["customer_id"])


def test_the_model_file_alone_predicts_from_raw_columns(census_files):
    """In Python, load_model gives a model that takes the CSV's columns as they are: strings for the
    categorical ones (missing ones as ''), numbers for the rest."""
    import neuronet

    model = neuronet.models.load_model(census_files["model"])
    test = census_files["test"]
    rows = test[test[["age", "hours_per_week"]].notna().all(axis=1)].head(50)
    inputs = []
    for tensor in model.inputs:
        column = rows[tensor.name]
        if tensor.dtype == "object":
            values = column.map(lambda v: "" if pd.isna(v) else str(v))  # text, 'True'/'False', '3'
            inputs.append(values.to_numpy(dtype=object).reshape(-1, 1))
        else:
            inputs.append(column.to_numpy(dtype=np.float32).reshape(-1, 1))
    with neuronet.no_grad():
        proba = np.hstack([np.asarray(t) for t in model(inputs)])
    assert model.name == "income" and [t._keras_history[0].name for t in model.outputs] == ["<=50K", ">50K"]
    cli = census_files["pred"].loc[rows.index, ["probability_<=50K", "probability_>50K"]]
    np.testing.assert_allclose(proba, cli.to_numpy(), atol=1e-5)


def test_evaluate_agrees_with_scikit_learn_metrics(census_files):
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    d = census_files["dir"]
    out = ok(run_cli("evaluate", census_files["model"], d / "test_labelled.csv"))
    pred, truth = census_files["pred"], census_files["test"]["income"]
    line = next(x for x in out.splitlines() if x.startswith("2000 rows:"))
    values = dict(zip(line.split()[2::2], map(float, line.split()[3::2])))
    assert values["accuracy"] == pytest.approx(accuracy_score(truth, pred["income"]), abs=1e-4)
    assert values["F1"] == pytest.approx(f1_score(truth, pred["income"], pos_label=">50K"), abs=1e-4)
    assert values["AUC"] == pytest.approx(roc_auc_score(truth == ">50K", pred["probability_>50K"]), abs=2e-3)
    assert "true \\ predicted  <=50K  >50K" in out
    counts = [[int(v) for v in x.split()[1:]] for x in out.splitlines() if x.startswith(("<=50K ", ">50K "))]
    assert np.sum(counts) == 2000 and np.trace(counts) == round(values["accuracy"] * 2000)


def test_summary_describes_what_the_model_reads(census_files):
    out = ok(run_cli("summary", census_files["model"]))
    assert "network (Sequential)" in out and "workclass_lookup (StringLookup)" in out  # 100 columns: no wrapping
    assert "predicts 'income' (classification: <=50K, >50K)" in out
    assert "  age: numeric, missing values →" in out
    assert "  workclass: categorical, 6 categories" in out and "'' (missing)" in out
    assert "customer_id" not in out.split("predicts")[1]


def test_regression_within_ten_percent_of_hist_gradient_boosting(tmp_path):
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    frame = housing(12000, seed=0)
    train, test = frame.iloc[:10000], frame.iloc[10000:]
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    out = ok(run_cli("train", tmp_path / "train.csv", "--target", "MedHouseVal", "--out", tmp_path / "h.keras",
                      "--quiet"))
    assert "regression of 'MedHouseVal' from 8 column(s)" in out and "validation (2000 rows): MAE" in out
    ok(run_cli("predict", tmp_path / "h.keras", tmp_path / "test.csv", "--out", tmp_path / "pred.csv"))
    ours = pd.read_csv(tmp_path / "pred.csv")["MedHouseVal"].to_numpy()
    with threadpool_limits(1):
        model = HistGradientBoostingRegressor(random_state=0).fit(train.drop(columns="MedHouseVal"),
                                                                  train["MedHouseVal"])
    theirs = model.predict(test.drop(columns="MedHouseVal"))
    y = test["MedHouseVal"].to_numpy()
    rmse_ours, rmse_theirs = np.sqrt(np.mean((ours - y) ** 2)), np.sqrt(np.mean((theirs - y) ** 2))
    print(f"housing test RMSE: neuronet {rmse_ours:.4f}, HistGradientBoostingRegressor {rmse_theirs:.4f} "
          f"(ratio {rmse_ours / rmse_theirs:.3f})")
    assert rmse_ours <= 1.10 * rmse_theirs
    line = next(x for x in ok(run_cli("evaluate", tmp_path / "h.keras", tmp_path / "test.csv")).splitlines()
                if x.startswith("2000 rows:"))
    assert f"RMSE {rmse_ours:.4f}"[:9] in line and "R²" in line


def test_python_dash_m_and_demo(tmp_path):
    done = subprocess.run([sys.executable, "-m", "neuronet", "demo", "--epochs", "3", "--csv", tmp_path / "d.csv"],
                          capture_output=True, text=True, env=ENV)
    out = ok(done)
    assert "model.add(Dense(units=64, activation='relu', input_dim=20))" in out
    accuracy = float(out.split("Test accuracy: ")[1].split()[0])
    assert accuracy >= 0.85
    data = pd.read_csv(tmp_path / "d.csv")
    assert data.shape == (1000, 21) and set(data["label"]) == {"yes", "no"}
    assert ok(run_cli("--version")).startswith("neuronet ")


# ------------------------------------------------------------------------------------------ bad input
def _write(path, text):
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory, census_files):
    """The bad inputs the issue lists, through the installed command, run concurrently:
    ``{case: (exit status, stdout, stderr, output path, expected message)}``."""
    d = tmp_path_factory.mktemp("bad")
    good = census_files["dir"] / "train.csv"
    model = census_files["model"]
    cases = {
        "missing target column": (["train", good, "--target", "incme"], "m.keras",
                                  "no column 'incme' (did you mean 'income'?)"),
        "empty file": (["train", _write(d / "empty.csv", ""), "--target", "y"], "m.keras", "is empty"),
        "ragged long row": (["train", _write(d / "long.csv", "a,b,y\n1,2,x\n3,4,y,9\n"), "--target", "y"],
                            "m.keras", "line 3: 4 fields, but the header has 3"),
        "ragged short row": (["train", _write(d / "short.csv", "a,b,y\n1,2,x\n3,y\n"), "--target", "y"],
                             "m.keras", "line 3: 2 fields, but the header has 3"),
        "one class only": (["train", _write(d / "one.csv", "a,y\n1,x\n2,x\n3,x\n"), "--target", "y"], "m.keras",
                           "only one class ('x')"),
        "column missing at predict": (["predict", model, _write(d / "cols.csv", "age,sex\n30,Male\n")], "p.csv",
                                      "lacks 8 column(s) the model needs: 'workclass'"),
        "a CSV given as the model": (["predict", good, good], "p.csv", "is not a neuronet model file"),
        "unwritable output path": (["train", good, "--target", "income"], "/proc/m.keras", "cannot write"),
        "missing output directory": (["train", good, "--target", "income"], "nowhere/m.keras", "does not exist"),
    }
    running = {}
    for name, (args, out, _) in cases.items():
        out_path = out if out.startswith("/") else d / out
        running[name] = (subprocess.Popen([COMMAND, *map(str, args), "--out", str(out_path)], stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True, env=ENV), out_path)
    results = {}
    for name, (process, out_path) in running.items():
        stdout, stderr = process.communicate(timeout=300)
        results[name] = (process.returncode, stdout, stderr, out_path, cases[name][2])
    return results, d


@pytest.mark.parametrize("case", [
    "missing target column", "empty file", "ragged long row", "ragged short row", "one class only",
    "column missing at predict", "a CSV given as the model", "unwritable output path", "missing output directory"])
def test_bad_input_is_one_line_on_stderr_and_writes_nothing(bad_inputs, case):
    if not os.path.exists(COMMAND):
        pytest.skip("the neuronet command is not installed")
    results, d = bad_inputs
    code, stdout, stderr, out_path, expected = results[case]
    assert code == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("neuronet ") and ": error: " in lines[0], stderr
    assert expected in lines[0]
    assert not os.path.exists(out_path)
    assert not [p for p in d.iterdir() if p.name.startswith(".") or p.suffix == ".keras"]


def test_more_bad_input_in_process(census_files, tmp_path, capsys):
    """The same contract, called in this process (cheaper): one line, status 1 (2 for the command
    line), nothing written."""
    from neuronet.cli import main

    good, model = census_files["dir"] / "train.csv", census_files["model"]
    (tmp_path / "a_directory.keras").mkdir()
    _write(tmp_path / "plain.txt", "not a directory")
    text = census_files["test"].head(3).assign(age=["old", 1, 2]).to_csv(index=False)
    cases = [
        (["train", _write(tmp_path / "header.csv", "a,b,y\n"), "--target", "y", "--out", tmp_path / "m.keras"],
         1, "has a header but no data rows"),
        (["predict", model, _write(tmp_path / "text.csv", text), "--out", tmp_path / "p.csv"], 1,
         "column 'age' must be numeric, but row 1 holds 'old'"),
        (["evaluate", _write(tmp_path / "junk.keras", "PK\x03\x04 junk"), good], 1, "is not a neuronet model file"),
        (["summary", tmp_path / "nothing.keras"], 1, "does not exist"),
        (["train", good, "--target", "income", "--out", tmp_path / "a_directory.keras"], 1, "is a directory"),
        (["train", good, "--target", "income", "--out", tmp_path / "plain.txt" / "m.keras"], 1, "does not exist"),
        (["train", good, "--target", "income", "--out", tmp_path / "m.txt"], 1, "must end in .keras"),
        (["train", good, "--target", "income", "--out", tmp_path / "m.keras", "--epochs", "0"], 2,
         "argument --epochs: expected a positive integer, received '0'"),
        (["train", good, "--target", "income", "--out", tmp_path / "m.keras", "--layers", "64,x"], 2,
         "expected comma-separated positive integers"),
        (["predict", model, good, "--out", tmp_path / "p.csv", "--keep", "nope"], 1, "--keep names column 'nope'"),
        (["evaluate", model, good, "--target", "incom"], 1, "no column 'incom' (did you mean 'income'?)"),
    ]
    for args, status, expected in cases:
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit_:  # argparse
            code = exit_.code
        err = capsys.readouterr().err.strip().splitlines()
        assert code == status and len(err) == 1 and expected in err[0], (args, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_directory.keras", "header.csv", "junk.keras", "plain.txt",
                                                          "text.csv"]


def test_pandas_missing_is_named(tmp_path):
    code = ("import sys; sys.modules['pandas'] = None; from neuronet.cli import main; "
            f"sys.exit(main(['train', {str(tmp_path / 'x.csv')!r}, '--target', 'y', '--out', "
            f"{str(tmp_path / 'm.keras')!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    assert done.returncode == 1
    assert done.stderr.strip() == ("neuronet train: error: `neuronet train` reads CSV files with pandas, which is not "
                                   "installed: pip install 'neuronet[pandas]'")


# ------------------------------------------------------------------------------------------ Ctrl-C
def test_ctrl_c_during_training_leaves_no_model(tmp_path):
    if not os.path.exists(COMMAND):
        pytest.skip("the neuronet command is not installed")
    housing(4000, seed=1).to_csv(tmp_path / "big.csv", index=False)
    process = subprocess.Popen([COMMAND, "train", str(tmp_path / "big.csv"), "--target", "MedHouseVal", "--out",
                                str(tmp_path / "m.keras"), "--epochs", "10000", "--patience", "10000",
                                "--batch-size", "16"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=ENV)
    deadline = time.time() + 120
    line = ""
    while "training rows" not in line and time.time() < deadline:  # the line printed just before training
        line = process.stdout.readline()
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "neuronet train: interrupted; no file was written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv"]


def test_ctrl_c_while_saving_leaves_nothing_half_written(tmp_path, monkeypatch):
    """write_atomically writes into a temporary file beside the target and renames it only when done."""
    from neuronet.cli.common import write_atomically

    target = tmp_path / "m.keras"
    target.write_bytes(b"the previous model")

    def interrupted_save(tmp):
        with open(tmp, "wb") as f:
            f.write(b"half a model")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(str(target), interrupted_save, suffix=".keras")
    assert target.read_bytes() == b"the previous model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]


def test_the_command_table_has_every_subcommand():
    from neuronet.cli import build_parser, playground, train

    parser = build_parser()
    assert parser.parse_args(["playground", "--no-browser"]).run is playground.run
    assert parser.parse_args(["train", "x.csv", "--target", "y", "--out", "m.keras"]).run is train.run
