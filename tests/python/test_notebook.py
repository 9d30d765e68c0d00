"""The example notebook (examples/python.ipynb) runs headless (nbconvert's ExecutePreprocessor
with the ipykernel of this python3) without an error, and shows typeset results."""
import os

import pytest

from conftest import ROOT


def test_example_notebook_executes():
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert.preprocessors")
    path = os.path.join(ROOT, "examples", "python.ipynb")
    with open(path) as f:
        nb = nbformat.read(f, as_version=4)
    import nabla
    # The kernel (a subprocess, started in examples/) imports this nabla.
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(nabla.__file__)))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [package_parent] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    ep = nbconvert.ExecutePreprocessor(timeout=60, kernel_name="python3")
    ep.preprocess(nb, {"metadata": {"path": os.path.join(ROOT, "examples")}})
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("text/latex" in o.get("data", {}) for o in outputs)
    assert any("text/html" in o.get("data", {}) for o in outputs)
    text = "".join(o.get("text", "") for o in outputs)
    assert "(A + A')*x" in text
