"""chainrule's engine: scalar Values, one rule table, a backward pass you can step through.

>>> from engine import Value
>>> x = Value(0.5, label="x")
>>> y = (2 * x).tanh(); y.backward()
>>> round(x.grad, 6)
0.839949
"""

from .backprop import Step, backward, backward_steps, topological_order
from .draw import dot_available, draw_dot  # graphviz drawings
from .functional import apply, dot, sum
from .gradcheck import GradcheckError, gradcheck
from .modes import (AnomalyError, detect_anomaly, enable_grad, is_anomaly_enabled,
                    is_grad_enabled, no_grad)
from .ops import RULES, Op
from .learner import define_op, remove_op
from .player import save_player  # the HTML backprop player
from .value import Constant, Value
from .trace import FrozenValueWarning, Trace, TraceError, trace  # traced replay
from .transforms import grad, hvp, jvp  # derivatives of derivatives, forward mode

__all__ = [
    "Value", "Constant", "grad", "hvp", "jvp", "Op", "RULES", "define_op", "remove_op", "apply",
    "sum", "dot", "topological_order", "backward", "backward_steps", "Step",
    "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly", "is_anomaly_enabled",
    "AnomalyError", "gradcheck", "GradcheckError",
    "trace", "Trace", "TraceError", "FrozenValueWarning",
    "draw_dot", "dot_available", "save_player",
]
from .grade import GradeReport, grade  # grading gradients worked out by hand
from .mistakes import MISTAKES, Mistake

__all__ += ["grade", "GradeReport", "MISTAKES", "Mistake"]
