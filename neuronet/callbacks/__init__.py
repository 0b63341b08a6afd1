"""Callbacks: code run by fit/evaluate/predict at the start and end of training, epochs and batches.

Keras names and defaults: History, ProgbarLogger, EarlyStopping, ReduceLROnPlateau,
LearningRateScheduler, TerminateOnNaN, CSVLogger, LambdaCallback, ModelCheckpoint,
BackupAndRestore; subclass
:class:`Callback` for your own.
"""

from .backup_and_restore import BackupAndRestore
from .base import Callback
from .callback_list import CallbackList
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .gradient_monitor import GradientMonitor
from .history import History
from .lambda_callback import LambdaCallback
from .lr_scheduler import LearningRateScheduler
from .model_checkpoint import ModelCheckpoint
from .progbar import ProgbarLogger
from .reduce_lr import ReduceLROnPlateau
from .tensorboard import TensorBoard
from .terminate_on_nan import TerminateOnNaN

__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "GradientMonitor",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TensorBoard",
    "TerminateOnNaN",
]
