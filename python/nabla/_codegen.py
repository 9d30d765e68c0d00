"""Code generation for the Python ecosystem: NumPy and PyTorch functions (and C++)."""
import hashlib
import importlib.util
import os
import sys
import tempfile

from . import _nabla


def _named_outputs(e, wrt, kind):
    from . import Expr, _derive
    if isinstance(e, (list, tuple)):
        return [(f"out{i}", x._e) for i, x in enumerate(e)]
    outs = [("value", e._e)]
    if wrt is not None:
        ws = [wrt] if isinstance(wrt, (str, Expr)) else list(wrt)
        for w in ws:
            d = _derive(kind, e, w)
            name = w if isinstance(w, str) else w.name
            outs.append((f"{kind}_{name}", d._e))
    return outs


def codegen(e, wrt=None, format="numpy", name=None, kind="grad", batch=False):  # noqa: A002
    """Source of one function computing e and its derivative(s) w.r.t. wrt.

    format: "numpy", "torch" or "cpp". The function is named ``name`` (default "f"); it returns
    ``(value, grad_x, ...)`` (kind "jacobian", "hessian" or "diff" for other derivatives).
    A list of expressions gives one output each. batch=True (NumPy): every vector argument may
    also be a batch (b, n); results for the whole batch come back at once (scalars (b,),
    vectors (b, n), matrices (b, r, c)).
    """
    return _nabla.generate(format, name or "f", _named_outputs(e, wrt, kind), batch)


def codegen_module(functions, format="numpy", kind="grad"):  # noqa: A002
    """Source of one Python file holding several generated functions, with the imports and each
    helper once: ``codegen_module([("loss", e, "w"), ("quad", q, "x")], "torch")``. Each entry
    is (name, expression or list of expressions, wrt or None); the expressions must share a
    scope."""
    entries = []
    for entry in functions:
        name, e, wrt = (tuple(entry) + (None,))[:3]
        entries.append((name, _named_outputs(e, wrt, kind)))
    return _nabla.generate_module(format, entries)


def _load(source, name, prefix):
    """Imports generated source as a module from a file (TorchScript reads functions' source)."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    folder = os.path.join(tempfile.gettempdir(), f"nabla-generated-{os.getuid()}")
    os.makedirs(folder, exist_ok=True)
    modname = f"{prefix}_{digest}"
    path = os.path.join(folder, modname + ".py")
    if not os.path.exists(path):
        tmp = path + f".{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            f.write(source)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(modname, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    spec.loader.exec_module(module)
    fn = getattr(module, name)
    return fn


def to_numpy(e, wrt=None, name=None, kind="grad", batch=False):
    """A NumPy function computing e (and its derivatives): the generated code, loaded.
    Its source is in ``.source``. batch=True: vector arguments may carry a leading batch axis."""
    name = name or "f"
    source = codegen(e, wrt, "numpy", name, kind, batch)
    fn = _load(source, name, "nabla_numpy")
    fn.source = source
    return fn


def to_torch(e, wrt=None, name=None, kind="grad", script=False, autograd=False):
    """A PyTorch function computing e (and its derivatives) on tensors, keeping their dtype and
    device; ``.source`` is its code.

    script=True: compiled with torch.jit.script. autograd=True (a scalar e and kind "grad"): a
    function of the tensors returning e's value as a ``torch.autograd.Function`` whose backward
    is nabla's closed-form gradient (``grad_output * grad_x`` for every x in wrt; other
    arguments get no gradient).
    """
    import torch

    name = name or "f"
    source = codegen(e, wrt, "torch", name, kind)
    fn = _load(source, name, "nabla_torch")
    if script:
        fn = torch.jit.script(fn)
    if not autograd:
        try:
            fn.source = source
        except AttributeError:
            pass
        return fn
    if wrt is None or kind != "grad":
        raise ValueError("to_torch(autograd=True) needs wrt and kind='grad'")
    from . import Expr
    ws = [wrt] if isinstance(wrt, (str, Expr)) else list(wrt)
    params = list(_nabla.compile([e._e], []).parameters)
    wrt_names = [w if isinstance(w, str) else w.name for w in ws]
    positions = [params.index(w) for w in wrt_names]
    generated = fn

    class NablaFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            out = generated(*args)
            ctx.nabla_grads = out[1:]
            return out[0]

        @staticmethod
        def backward(ctx, grad_output):
            result = [None] * len(params)
            for k, p in enumerate(positions):
                g = ctx.nabla_grads[k]
                result[p] = grad_output * g
            return tuple(result)

    def apply(*args):
        return NablaFunction.apply(*args)

    apply.source = source
    apply.parameters = params
    apply.function = NablaFunction
    return apply
