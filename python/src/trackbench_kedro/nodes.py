"""The described pipeline as Kedro nodes, one modular pipeline per namespace: node names, dataset
names and ``params:`` inputs are namespaced by Kedro itself, as in a hand-written project."""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Dict, List, Optional, Set

from .description import Description, NodeSpec, file_bytes, local_name
from .models import TinyModel
from .work import do_work


def output_names(node: NodeSpec) -> List[str]:
    """Full (namespaced) output dataset names, in the order the node function returns them."""
    name = node["name"]
    out = [name + ".out"]
    if node["metrics"]:
        out.append(name + ".metrics")
    out += [a["name"] for a in node["artifacts"]]
    out += [m["name"] for m in node["models"]]
    return out


def node_function(node: NodeSpec) -> Callable[..., Any]:
    work = node.get("work", {})
    prefix = node["name"] + "."

    def run(*inputs: Any) -> Any:
        do_work(work)
        if node["fails"]:
            raise RuntimeError("injected failure in node " + node["name"])
        size = int(work.get("outputBytes", 0))
        outputs: List[Any] = [bytes([node["index"] & 0xFF]) * size if size > 0 else {"node": node["name"]}]
        if node["metrics"]:
            # kedro-mlflow's metrics-history shape; keys are relative to the dataset's prefix (the node).
            outputs.append(
                {
                    k[len(prefix) :] if k.startswith(prefix) else k: [
                        {"value": v, "step": s} for s, v in enumerate(values)
                    ]
                    for k, values in node["metrics"].items()
                }
            )
        outputs += [file_bytes(a) for a in node["artifacts"]]
        outputs += [TinyModel(m["name"], file_bytes(m)) for m in node["models"]]
        return outputs if len(outputs) > 1 else outputs[0]

    run.__name__ = local_name(node).replace(".", "_")
    return run


def _relative(full: str, namespace: Optional[str]) -> str:
    return full[len(namespace) + 1 :] if namespace and full.startswith(namespace + ".") else full


def build_pipelines(desc: Description) -> Dict[str, Any]:
    """``{"__default__": p, <pipeline name>: p}`` for Kedro's pipeline registry."""
    from kedro.pipeline import node as kedro_node, pipeline as modular

    spec = desc["pipeline"]
    by_index = {n["index"]: n for n in spec["nodes"]}
    preds: Dict[int, List[int]] = defaultdict(list)
    for a, b in spec["edges"]:
        preds[b].append(a)
    groups: Dict[Optional[str], List[NodeSpec]] = defaultdict(list)
    for n in spec["nodes"]:
        groups[n.get("namespace") or None].append(n)
    parts = []
    for namespace, nodes in groups.items():
        built = []
        external: Set[str] = set()
        for n in nodes:
            inputs: List[str] = []
            for p in preds[n["index"]]:
                source = by_index[p]
                full = source["name"] + ".out"
                if (source.get("namespace") or None) == namespace:
                    inputs.append(_relative(full, namespace))
                else:
                    inputs.append(full)  # from another modular pipeline: kept as is
                    external.add(full)
            inputs += ["params:" + _relative(k, namespace) for k in n["params"]]
            outputs = [_relative(o, namespace) for o in output_names(n)]
            built.append(
                kedro_node(
                    node_function(n),
                    inputs or None,
                    outputs if len(outputs) > 1 else outputs[0],
                    name=local_name(n),
                )
            )
        if namespace:
            parts.append(modular(built, namespace=namespace, inputs=external or None))
        else:
            parts.append(modular(built))
    full_pipeline = sum(parts[1:], parts[0]) if parts else modular([])
    return {"__default__": full_pipeline, spec["name"]: full_pipeline}

