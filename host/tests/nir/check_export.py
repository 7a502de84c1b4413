"""Checks a `spikeforge nir export` file with the PyPI `nir` package as the client.

    python3 check_export.py MODEL.nir NETWORK.toml WEIGHTS.json DT

`nir.read` loads the file (with its type check); every node's type, every parameter's shape and
value is compared with the network file and the weights file (`{"weights": [[W0...], ...,
[C...]], "homeostasis": [[h0...], ..., [hC...]]}`). Prints one line and exits 0 when all match;
prints each mismatch and exits 1 otherwise.
"""

import json
import sys
import tomllib

import nir
import numpy as np


def main(model, network, weights, dt):
    with open(network, "rb") as f:
        cfg = tomllib.load(f)
    with open(weights) as f:
        learned = json.load(f)
    matrices = [np.array(m, dtype=np.int64) for m in learned["weights"]]
    homeostasis = [np.array(h, dtype=np.int64) for h in learned["homeostasis"]]
    graph = nir.read(model)
    errors = []

    def expect(cond, what):
        if not cond:
            errors.append(what)

    def node(name, kind):
        n = graph.nodes.get(name)
        expect(n is not None and type(n).__name__ == kind, f"{name}: expected a {kind}")
        return n

    inputs, classes = cfg["inputs"], cfg["classes"]
    hidden = cfg["hidden"]
    supervised = cfg["negatives"] == "supervised"
    labels = classes if supervised else 0
    edges = set()

    def lif(name, layer, size, h):
        n = node(name, "LIF")
        if n is None:
            return
        theta = layer["threshold"]
        tau = dt * 2 ** layer["leak_shift"]
        for param, value in [
            ("tau", tau),
            ("r", 1.0),
            ("v_leak", 0.0),
            ("v_reset", 0.0),
            ("v_threshold", (theta + h) / max(theta, 1)),
        ]:
            a = np.asarray(getattr(n, param))
            expect(a.shape == (size,), f"{name}.{param}: shape {a.shape}, expected ({size},)")
            expect(np.allclose(a, value, rtol=1e-6, atol=0), f"{name}.{param} != {value}")

    def affine(name, w, rows, size, theta):
        n = node(name, "Affine")
        if n is None:
            return
        block = w.reshape(-1, size)[rows[0] : rows[1]].T  # (size, inputs)
        weight = np.asarray(n.weight, dtype=np.float64)
        expect(weight.shape == block.shape, f"{name}.weight: shape {weight.shape}, expected {block.shape}")
        if weight.shape == block.shape:
            back = np.rint(weight * max(theta, 1)).astype(np.int64)
            bad = np.argwhere(back != block)
            expect(len(bad) == 0, f"{name}.weight: {len(bad)} weights mismatch, first at {bad[:1].tolist()}")
        expect(np.all(np.asarray(n.bias) == 0), f"{name}.bias is not 0")

    node("input", "Input")
    expect(list(graph.nodes["input"].input_type["input"]) == [inputs], "input shape")
    if supervised:
        node("label", "Input")
    prev, prev_size = "input", inputs
    for l, layer in enumerate(hidden):
        size = layer["size"]
        affine(f"w{l}", matrices[l], (0, prev_size), size, layer["threshold"])
        edges |= {(prev, f"w{l}"), (f"w{l}", f"lif{l}")}
        if supervised:
            affine(f"label_w{l}", matrices[l], (prev_size, prev_size + labels), size, layer["threshold"])
            edges |= {("label", f"label_w{l}"), (f"label_w{l}", f"lif{l}")}
        lif(f"lif{l}", layer, size, homeostasis[l])
        prev, prev_size = f"lif{l}", size
    c, classifier = matrices[len(hidden)], cfg["classifier"]
    offset = 0
    if cfg.get("classifier_sees_input", False):
        affine("c_input", c, (0, inputs), classes, classifier["threshold"])
        edges |= {("input", "c_input"), ("c_input", "classifier")}
        offset = inputs
    for l, layer in enumerate(hidden):
        affine(f"c{l}", c, (offset, offset + layer["size"]), classes, classifier["threshold"])
        edges |= {(f"lif{l}", f"c{l}"), (f"c{l}", "classifier")}
        offset += layer["size"]
    lif("classifier", classifier, classes, homeostasis[len(hidden)])
    node("output", "Output")
    expect(list(graph.nodes["output"].output_type["output"]) == [classes], "output shape")
    edges.add(("classifier", "output"))
    expect(set(graph.edges) == edges, f"edges {sorted(graph.edges)} != {sorted(edges)}")
    expected_nodes = {name for edge in edges for name in edge}
    expect(set(graph.nodes) == expected_nodes, f"nodes {sorted(graph.nodes)}")

    if errors:
        for e in errors:
            print("mismatch:", e)
        return 1
    print(
        f"nir {nir.version} read {model}: {len(graph.nodes)} nodes, {len(graph.edges)} edges, "
        f"all parameters match {network} and {weights}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])))
