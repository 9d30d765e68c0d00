"""NumPy's names for nabla's built-ins, for functions written against ``numpy``::

    import nabla.numpy as nnp
    df = nabla.grad(lambda w, X, y: nnp.sum(nnp.logaddexp(0, -y * (X @ w))))

On expressions they build nabla expressions; on arrays they compute with NumPy.
"""
import numpy as _np

from . import (Expr, abs, cos, det, diag, dot, exp, expm1, inner, inv, kron, log, log1p,  # noqa: F401
               matmul, mean, outer, sign, sin, sqrt, sum, tan, tanh, trace, transpose, vstack,
               ones_like, zeros_like)
from . import softplus as _softplus, norm2 as _norm2, logdet as _logdet


def logaddexp(a, b):
    """log(e^a + e^b); with a constant 0 on one side this is softplus, stable."""
    if isinstance(a, Expr) or isinstance(b, Expr):
        if isinstance(a, (int, float)) and a == 0:
            return _softplus(b)
        if isinstance(b, (int, float)) and b == 0:
            return _softplus(a)
        return a + _softplus(b - a)
    return _np.logaddexp(a, b)


def square(x):
    return x * x


class linalg:  # noqa: N801  (numpy.linalg's names)
    inv = staticmethod(inv)
    det = staticmethod(det)

    @staticmethod
    def norm(x):
        return _norm2(x)

    @staticmethod
    def slogdet(a):
        raise NotImplementedError("use nabla.logdet")


def logdet(a):
    return _logdet(a)
