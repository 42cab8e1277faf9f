"""A real model, small: a pyfunc PythonModel holding a block of weights. MLflow can log it as a
model flavour (``mlflow.pyfunc``); without MLflow it is a plain picklable object."""
from __future__ import annotations

try:
    from mlflow.pyfunc import PythonModel as _Base
except ImportError:  # the environment has no MLflow: the model is still a picklable object
    _Base = object


class TinyModel(_Base):  # type: ignore[misc]  # MLflow's PythonModel is untyped (Any) here
    """Predicts the weight count for each input row; ``weights`` is the model's size on disk."""

    def __init__(self, name: str, weights: bytes) -> None:
        self.name = name
        self.weights = weights

    # No type hints here: MLflow reads them as an input schema and warns about Any.
    def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
        return [len(self.weights) for _ in range(len(model_input))]
