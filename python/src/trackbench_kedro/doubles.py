"""NaN and the infinities in JSON. JSON has no literal for them and Python's json writes bare ``NaN`` /
``Infinity`` tokens that other parsers refuse and MLflow's server silently logs as 0 (protobuf cannot parse
them). trackbench's pipeline description, MLflow's REST API and trackbench's spill files all spell them as
protobuf-JSON does: the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``."""
from __future__ import annotations

import json
import math
from typing import Any, Union

SPELT = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def wire_double(value: float) -> Union[float, str]:
    """A float as protobuf-JSON writes it: non-finite values become their string spelling."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def read_double(value: Union[float, int, str]) -> float:
    """A double read from protobuf-JSON: a number, or one of the spellings of NaN and the infinities."""
    if isinstance(value, str):
        if value not in SPELT:
            raise ValueError("not a double: %r" % value)
        return SPELT[value]
    return float(value)


def to_wire(value: Any) -> Any:
    """``value`` with every float inside it (lists and mappings too) as protobuf-JSON writes it."""
    if isinstance(value, float):
        return wire_double(value)
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """JSON of ``value`` that any parser reads: non-finite floats spelt as strings, never bare tokens."""
    try:
        # the common case, without a copy of the body: json refuses a non-finite float here
        return json.dumps(value, allow_nan=False)
    except ValueError:
        return json.dumps(to_wire(value), allow_nan=False)
