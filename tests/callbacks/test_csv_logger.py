from conftest import FakeModel, run_epochs

from neuronet import callbacks


def test_csv_contents(tmp_path, model):
    path = tmp_path / "log.csv"
    run_epochs([callbacks.CSVLogger(path)], model, [0.5, 0.25], extra={"accuracy": 0.75})
    assert path.read_text().splitlines() == [
        "epoch,accuracy,loss,val_loss",
        "0,0.75,0.5,0.5",
        "1,0.75,0.25,0.25",
    ]


def test_csv_separator_append_and_missing_keys(tmp_path):
    path = tmp_path / "log.tsv"
    run_epochs([callbacks.CSVLogger(str(path), separator="\t")], FakeModel(), [1.0])
    run_epochs([callbacks.CSVLogger(path, separator="\t", append=True)], FakeModel(), [2.0])
    assert path.read_text().splitlines() == ["epoch\tloss\tval_loss", "0\t1.0\t1.0", "0\t2.0\t2.0"]

    logger = callbacks.CSVLogger(path)
    logger.set_model(FakeModel())
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0})
    logger.on_epoch_end(1, {"loss": 0.5})
    logger.on_train_end()
    assert path.read_text().splitlines()[-1] == "1,0.5,NA"


def test_csv_overwrites_without_append(tmp_path, model):
    path = tmp_path / "log.csv"
    path.write_text("old contents\n")
    run_epochs([callbacks.CSVLogger(path)], model, [1.0])
    assert "old" not in path.read_text()
