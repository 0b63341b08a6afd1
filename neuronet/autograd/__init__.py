"""Reverse-mode automatic differentiation: Tensor, Function, backward, no_grad."""

from .function import Function, backward, enable_grad, is_grad_enabled, no_grad, unbroadcast
from .tensor import Tensor, Variable

__all__ = ["Function", "Tensor", "Variable", "backward", "enable_grad", "is_grad_enabled", "no_grad", "unbroadcast"]
from .gradcheck import GradcheckError, gradcheck  # noqa: E402

__all__ += ["GradcheckError", "gradcheck"]
# The allocator setting lives in neuronet.runtime (applied at the first op, never at import); these
# two names stay here for code that used them from autograd.
from ..runtime.memory import is_malloc_tuned, tune_malloc  # noqa: E402

__all__ += ["is_malloc_tuned", "tune_malloc"]
