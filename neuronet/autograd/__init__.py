"""Reverse-mode automatic differentiation: Tensor, Function, backward, no_grad."""

from .function import Function, backward, enable_grad, is_grad_enabled, no_grad, unbroadcast
from .tensor import Tensor, Variable

__all__ = ["Function", "Tensor", "Variable", "backward", "enable_grad", "is_grad_enabled", "no_grad", "unbroadcast"]
from .gradcheck import GradcheckError, gradcheck  # noqa: E402

__all__ += ["GradcheckError", "gradcheck"]
from .memory import _tune_on_import, is_malloc_tuned, tune_malloc  # noqa: E402

__all__ += ["is_malloc_tuned", "tune_malloc"]
_tune_on_import()
