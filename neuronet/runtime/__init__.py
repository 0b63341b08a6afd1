"""The runtime: how ops use the machine — threads, helper processes, BLAS threads, the allocator.

Ops say what they compute for a slice of rows; the runtime decides how the rows run. Its whole
interface:

    policy, policy_override     every setting, readable in one place (:mod:`.policy`)
    plan_rows(n, work_per_row)  a :class:`RowPlan` for an op with independent rows; ``plan.map(f)``
                                runs ``f(i, s)`` over slices ``s`` of the rows, ``plan.map_sum(f)``
                                also adds up what they return (weight gradients) in slice order
                                (:mod:`.rows`)
    forward_in_slices(op, ...)  an op whose slices keep state until backward (recurrent), with its
                                extra slices in helper processes on Linux (:mod:`.stateful`)
    register_slice_op(cls)      enter such an op in the closed table helper processes run from
    blas_threads()              a block on ``policy.blas_threads`` BLAS threads (:mod:`.blas`)
    tune_malloc(), is_malloc_tuned()    the allocator setting (:mod:`.memory`)
    shutdown()                  stop the helper processes (they also stop at exit)

Importing neuronet starts nothing and changes nothing process-wide: the thread pool, the helper
processes and the allocator setting are created or applied at their first use, as the policy says.
"""

from .blas import blas_threads
from .helpers import register_slice_op, shutdown
from .memory import is_malloc_tuned, tune_malloc
from .policy import Policy, policy, policy_override
from .rows import RowPlan, plan_rows
from .stateful import SlicedRun, forward_in_slices

__all__ = [
    "Policy", "RowPlan", "SlicedRun", "blas_threads", "forward_in_slices", "is_malloc_tuned",
    "plan_rows", "policy", "policy_override", "register_slice_op", "shutdown", "tune_malloc",
]
