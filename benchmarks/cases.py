"""The benchmark cases: each the same computation by autodiff, by hand in NumPy, and by PyTorch.

A case builds a ``Bench``: three ``Impl``s (torch only when it imports), each
a ``step`` to time and a ``grads`` reader for the check that comes first.
``SPECS`` lists them with their repetitions and targets; ``GROUPS`` names
sets of them for ``--cases``.

Profile one implementation (e.g. 2,000 planar autodiff steps)::

    python -m cProfile -s tottime -m benchmarks.cases planar autodiff 2000
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.data import planar_flower
from tinygrad_edu.manual import deep, two_layer

Params = dict[str, np.ndarray]
Grads = dict[str, np.ndarray]


@dataclass
class Impl:
    """One implementation: ``step()`` is what is timed, ``grads()`` reads its last gradients."""

    step: Callable[[], object]
    grads: Callable[[], Grads]


@dataclass
class Bench:
    """One row of the table: the same computation three ways (torch is None without PyTorch)."""

    title: str
    autodiff: Impl
    manual: Impl
    torch: Impl | None = None
    per: int = 1  # times are reported per `per` units of work, e.g. per op of a 1,000-op chain
    unit: str = "step"
    nodes: int | None = None  # graph nodes one autodiff call builds (for bytes per node)


@dataclass(frozen=True)
class Spec:
    """How to build a case and how long to time it: (full, quick) repetitions and warm-ups."""

    build: Callable[[], Bench]
    repeats: tuple[int, int]
    warmup: tuple[int, int]
    target_ratio: float | None = None  # autodiff / manual must be at most this


# --------------------------------------------------------------------------- #
# PyTorch, optional: CPU, float64, one thread
# --------------------------------------------------------------------------- #


@functools.cache
def torch_module() -> tuple[Any, str]:
    """``(torch, note)``; torch is None (and the note says why) when it does not import."""
    try:
        import torch
    except Exception as error:  # ImportError, or a broken install raising something else
        return None, f"PyTorch not available ({type(error).__name__}: {error}): column skipped"
    torch.set_num_threads(1)
    return torch, f"PyTorch {torch.__version__}: CPU, float64, torch.set_num_threads(1)"


# --------------------------------------------------------------------------- #
# Training steps: forward, cost, backward, update
# --------------------------------------------------------------------------- #


def _grad_names(params: Params) -> list[str]:
    return ["d" + name for name in params]  # W1, b1, W2, b2, … in layer order


def _autodiff_network(params: Params, X: np.ndarray, Y: np.ndarray, act: str, lr: float) -> Impl:
    """The library as a user writes it: nn.deep_network, optim.SGD, BCE on the logits."""
    layer_dims = [params["W1"].shape[1]] + [params[f"W{l}"].shape[0] for l in _layers(params)]
    model = nn.deep_network(layer_dims, act).load_params(params)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    X_t, Y_t = Tensor(X), Tensor(Y)

    def step() -> None:
        optimizer.zero_grad()
        J = F.binary_cross_entropy_with_logits(model(X_t), Y_t)
        J.backward()
        optimizer.step()

    def grads() -> Grads:
        found = {}
        for l, layer in enumerate(model.linear_layers(), start=1):
            found[f"dW{l}"], found[f"db{l}"] = layer.W.grad, layer.b.grad
        return found

    return Impl(step, grads)


def _manual_network(params: Params, X: np.ndarray, Y: np.ndarray, act: str, lr: float) -> Impl:
    """The course's hand-derived equations: manual.two_layer for one hidden layer, else deep."""
    state: dict[str, Any] = {"params": dict(params), "grads": {}}

    def two_layer_step() -> None:
        p = state["params"]
        A2, cache = two_layer.forward(X, p, act)
        two_layer.cost(A2, Y)
        grads = two_layer.backward(p, cache, X, Y, act)
        state["params"] = two_layer.update(p, grads, lr)
        state["grads"] = grads

    def deep_step() -> None:
        p = state["params"]
        AL, caches = deep.model_forward(X, p, act)
        deep.cost(AL, Y)
        grads = deep.model_backward(AL, Y, caches, act)
        state["params"] = deep.update(p, grads, lr)
        state["grads"] = grads

    def grads() -> Grads:
        return {name: state["grads"][name] for name in _grad_names(params)}

    return Impl(two_layer_step if len(params) == 4 else deep_step, grads)


def _torch_network(params: Params, X: np.ndarray, Y: np.ndarray, act: str, lr: float) -> Impl:
    torch, _ = torch_module()
    weights = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    X_t, Y_t = torch.from_numpy(X), torch.from_numpy(Y)
    g = {"tanh": torch.tanh, "relu": torch.relu}[act]
    optimizer = torch.optim.SGD(list(weights.values()), lr=lr)
    L = len(_layers(params))

    def step() -> None:
        optimizer.zero_grad()
        A = X_t
        for l in _layers(params):
            Z = weights[f"W{l}"] @ A + weights[f"b{l}"]
            A = g(Z) if l < L else Z
        J = torch.nn.functional.binary_cross_entropy_with_logits(A, Y_t)
        J.backward()
        optimizer.step()

    def grads() -> Grads:
        return {"d" + name: w.grad.numpy() for name, w in weights.items()}

    return Impl(step, grads)


def _layers(params: Params) -> range:
    return range(1, len(params) // 2 + 1)


def network(title: str, params: Params, X: np.ndarray, Y: np.ndarray, act: str, lr: float) -> Bench:
    torch, _ = torch_module()
    return Bench(
        title,
        autodiff=_autodiff_network(params, X, Y, act, lr),
        manual=_manual_network(params, X, Y, act, lr),
        torch=_torch_network(params, X, Y, act, lr) if torch is not None else None,
    )


def random_data(n_x: int, m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X (n_x, m) standard normal, Y (1, m) random 0/1 labels."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n_x, m)), (rng.random((1, m)) < 0.5).astype(np.float64)


def two_layer_case(n_x: int, n_h: int, m: int, label: str) -> Bench:
    """Tanh hidden layer, sigmoid output, mean BCE, one SGD step; the course's initialisation."""
    if label == "planar":
        X, Y = planar_flower(m=m)
        lr = 1.2
    else:
        X, Y = random_data(n_x, m)
        lr = 0.1
    params = two_layer.init_params(n_x, n_h, 1)
    return network(f"two-layer {label} ({n_x}, {n_h}, m={m})", params, X, Y, "tanh", lr)


def deep_case(layer_dims: list[int], m: int, label: str) -> Bench:
    """ReLU hidden layers, sigmoid output, He initialisation, one SGD step."""
    X, Y = planar_flower(m=m) if label == "planar" else random_data(layer_dims[0], m)
    params = deep.init_params(layer_dims, method="he")
    title = f"L-layer {label} {layer_dims}, m={m}"
    return network(title, params, X, Y, "relu", lr=0.0075)


# --------------------------------------------------------------------------- #
# Graph overhead: long chains and fan-out on small tensors
# --------------------------------------------------------------------------- #

SCALE, SHIFT = 1.0001, 0.0001  # y = y · SCALE, then y = y + SHIFT, alternately


def chain_case(n_ops: int, title: str, per: int = 1, unit: str = "chain") -> Bench:
    """``n_ops`` elementwise ops on a 1-element tensor, forward then backward.

    The NumPy floor makes the same forward calls and, backward, one multiply per
    ``· SCALE`` (``+ SHIFT`` passes the gradient through untouched).
    """
    x_data = np.ones(1)
    x = Tensor(x_data, requires_grad=True)

    def autodiff() -> None:
        x.grad = None
        y = x
        for _ in range(n_ops // 2):
            y = y * SCALE
            y = y + SHIFT
        y.backward()

    numpy_state: dict[str, np.ndarray] = {}

    def numpy_calls() -> None:
        y = x_data
        for _ in range(n_ops // 2):
            y = y * SCALE
            y = y + SHIFT
        dy = np.ones_like(y)  # dJ/dy for J = y
        for _ in range(n_ops // 2):
            dy = dy * SCALE
        numpy_state["dx"] = dy

    bench = Bench(
        title,
        autodiff=Impl(autodiff, lambda: {"dx": x.grad}),
        manual=Impl(numpy_calls, lambda: {"dx": numpy_state["dx"]}),
        per=per,
        unit=unit,
        nodes=n_ops,
    )
    torch, _ = torch_module()
    if torch is not None:
        x_torch = torch.ones(1, dtype=torch.float64, requires_grad=True)

        def torch_chain() -> None:
            x_torch.grad = None
            y = x_torch
            for _ in range(n_ops // 2):
                y = y * SCALE
                y = y + SHIFT
            y.backward(torch.ones_like(y))

        bench.torch = Impl(torch_chain, lambda: {"dx": x_torch.grad.numpy()})
    return bench


USES = 1000


def fanout_case(size: int, title: str) -> Bench:
    """One tensor of ``size`` elements used ``USES`` times: ``J = Σ_i sum(x · c_i)``."""
    x_data = np.random.default_rng(0).standard_normal(size)
    x = Tensor(x_data, requires_grad=True)
    coefficients = [1 + i / USES for i in range(USES)]

    def autodiff() -> None:
        x.grad = None
        total = x * coefficients[0]
        for c in coefficients[1:]:
            total = total + x * c
        total.sum().backward()

    numpy_state: dict[str, np.ndarray] = {}

    def numpy_calls() -> None:
        total = x_data * coefficients[0]
        for c in coefficients[1:]:
            total = total + x_data * c
        total.sum()
        dtotal = np.ones_like(total)  # the backward of sum; every + passes it through
        dx = dtotal * coefficients[0]
        for c in coefficients[1:]:
            dx += dtotal * c  # each use of x adds its share
        numpy_state["dx"] = dx

    bench = Bench(
        title,
        autodiff=Impl(autodiff, lambda: {"dx": x.grad}),
        manual=Impl(numpy_calls, lambda: {"dx": numpy_state["dx"]}),
        unit="pass",
        nodes=2 * USES,
    )
    torch, _ = torch_module()
    if torch is not None:
        x_torch = torch.tensor(x_data, requires_grad=True)

        def torch_fanout() -> None:
            x_torch.grad = None
            total = x_torch * coefficients[0]
            for c in coefficients[1:]:
                total = total + x_torch * c
            total.sum().backward()

        bench.torch = Impl(torch_fanout, lambda: {"dx": x_torch.grad.numpy()})
    return bench


# --------------------------------------------------------------------------- #
# The list: name -> how to build it, (full, quick) repetitions, (full, quick) warm-ups, target
# --------------------------------------------------------------------------- #

PER_OP_CHAIN = 1000

SPECS: dict[str, Spec] = {
    "planar": Spec(lambda: two_layer_case(2, 4, 400, "planar"), (1000, 100), (20, 5), 2.0),
    "mid": Spec(lambda: two_layer_case(784, 128, 256, "mid"), (300, 40), (10, 3), 1.05),
    "large": Spec(lambda: two_layer_case(1024, 1024, 4096, "large"), (25, 5), (1, 1), 1.0),
    "deep_planar": Spec(lambda: deep_case([2, 64, 64, 64, 1], 400, "planar"), (500, 60), (10, 3)),
    "deep_mid": Spec(lambda: deep_case([784, 64, 64, 64, 1], 256, "mid"), (300, 40), (10, 3), 1.05),
    "per_op": Spec(
        lambda: chain_case(PER_OP_CHAIN, "per-op overhead (1,000-op chain)", PER_OP_CHAIN, "op"),
        (200, 30),
        (5, 2),
        2.5,
    ),
    "chain_1e5": Spec(
        lambda: chain_case(100_000, "deep graph: chain of 10⁵ ops"), (11, 1), (1, 0), 3.0
    ),
    "chain_2e5": Spec(
        lambda: chain_case(200_000, "deep graph: chain of 2·10⁵ ops"), (11, 1), (1, 0), 3.0
    ),
    "fanout_1": Spec(lambda: fanout_case(1, "fan-out: 1 element × 1,000 uses"), (100, 15), (3, 1)),
    "fanout_1e4": Spec(
        lambda: fanout_case(10_000, "fan-out: 10⁴ elements × 1,000 uses"), (100, 15), (3, 1), 2.0
    ),
}

GROUPS: dict[str, list[str]] = {
    "two_layer": ["planar", "mid", "large"],
    "deep": ["deep_planar", "deep_mid"],
    "chain": ["chain_1e5", "chain_2e5"],
    "fanout": ["fanout_1", "fanout_1e4"],
}


def select(names: str | None) -> list[str]:
    """``"planar,chain"`` → the case names in table order; None → all. ValueError if unknown."""
    if not names:
        return list(SPECS)
    wanted: set[str] = set()
    for name in (part.strip() for part in names.split(",") if part.strip()):
        if name in SPECS:
            wanted.add(name)
        elif name in GROUPS:
            wanted.update(GROUPS[name])
        else:
            known = ", ".join([*SPECS, *GROUPS])
            raise ValueError(f"unknown case {name!r}; choose from {known}")
    return [name for name in SPECS if name in wanted]


def main(argv: list[str]) -> None:
    """``python -m benchmarks.cases CASE IMPL STEPS``: run one implementation, e.g. to profile."""
    if len(argv) != 3 or argv[0] not in SPECS or argv[1] not in ("autodiff", "manual", "torch"):
        raise SystemExit(f"usage: python -m benchmarks.cases {{{','.join(SPECS)}}} IMPL STEPS")
    impl = getattr(SPECS[argv[0]].build(), argv[1])
    if impl is None:
        raise SystemExit(torch_module()[1])
    for _ in range(int(argv[2])):
        impl.step()


if __name__ == "__main__":
    main(sys.argv[1:])
