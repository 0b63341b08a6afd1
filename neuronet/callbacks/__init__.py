"""Callbacks: code run by fit/evaluate/predict at the start and end of training, epochs and batches.

Keras names and defaults: History, ProgbarLogger, EarlyStopping, ReduceLROnPlateau,
LearningRateScheduler, TerminateOnNaN, CSVLogger, LambdaCallback, ModelCheckpoint,
BackupAndRestore, RemoteMonitor; subclass
:class:`Callback` for your own. The callbacks every ``fit`` uses (History, ProgbarLogger) load with the
package, the others on first use (:mod:`neuronet._lazy`).
"""

from .. import _lazy
from .base import Callback
from .callback_list import CallbackList
from .history import History
from .progbar import ProgbarLogger

_LAZY_NAMES = {
    "BackupAndRestore": "backup_and_restore",
    "CSVLogger": "csv_logger",
    "EarlyStopping": "early_stopping",
    "GradientMonitor": "gradient_monitor",
    "LambdaCallback": "lambda_callback",
    "LearningRateScheduler": "lr_scheduler",
    "ModelCheckpoint": "model_checkpoint",
    "ReduceLROnPlateau": "reduce_lr",
    "RemoteMonitor": "remote_monitor",
    "TensorBoard": "tensorboard",
    "TerminateOnNaN": "terminate_on_nan",
}

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", *_LAZY_NAMES]

__getattr__, __dir__ = _lazy.attach(__name__, globals(), names=_LAZY_NAMES)
