"""Writes NIR graphs with the PyPI `nir` package, as another tool would, for `spikeforge nir
import` to take (or refuse).

    python3 make_graph.py OUT.nir KIND SEED

KIND:
  two-layer    Input(64) -> Affine -> LIF(32) -> Affine -> LIF(10) -> Output, the way snnTorch
               exports Leaky neurons (beta = 0.5: tau = dt / (1 - beta), r = tau / dt,
               v_threshold 1, zero biases), weights drawn from SEED
  cycle        two-layer with an edge from the classifier back into the first layer
  unsupported  two-layer with a Delay node between the input and the first Affine
  shape        two-layer whose first Affine takes 60 inputs from the 64-wide input
"""

import sys

import nir
import numpy as np

DT = 1e-3


def lif(n, beta=0.5):
    tau = DT / (1 - beta)
    return nir.LIF(
        tau=np.full(n, tau, dtype=np.float32),
        r=np.full(n, tau / DT, dtype=np.float32),
        v_leak=np.zeros(n, dtype=np.float32),
        v_threshold=np.ones(n, dtype=np.float32),
        v_reset=np.zeros(n, dtype=np.float32),
    )


def affine(rng, out, inputs, scale):
    return nir.Affine(
        weight=(rng.standard_normal((out, inputs)) * scale).astype(np.float32),
        bias=np.zeros(out, dtype=np.float32),
    )


def main(out, kind, seed):
    rng = np.random.default_rng(seed)
    first_inputs = 60 if kind == "shape" else 64
    nodes = {
        "input": nir.Input(input_type=np.array([64])),
        "fc1": affine(rng, 32, first_inputs, 0.25),
        "lif1": lif(32),
        "fc2": affine(rng, 10, 32, 0.4),
        "lif2": lif(10),
        "output": nir.Output(output_type=np.array([10])),
    }
    edges = [
        ("input", "fc1"),
        ("fc1", "lif1"),
        ("lif1", "fc2"),
        ("fc2", "lif2"),
        ("lif2", "output"),
    ]
    if kind == "cycle":
        nodes["back"] = affine(rng, 32, 10, 0.1)
        edges += [("lif2", "back"), ("back", "lif1")]
    elif kind == "unsupported":
        nodes["delay"] = nir.Delay(delay=np.ones(64, dtype=np.float32))
        edges = [("input", "delay"), ("delay", "fc1")] + edges[1:]
    elif kind not in ("two-layer", "shape"):
        raise SystemExit(f"unknown kind {kind!r}")
    # The type check refuses the broken graphs before they are written; another tool's
    # writer might not.
    graph = nir.NIRGraph(nodes=nodes, edges=edges, type_check=(kind == "two-layer"))
    nir.write(out, graph)
    print(f"wrote {kind} graph to {out}: {len(nodes)} nodes, {len(edges)} edges")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
