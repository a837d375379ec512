"""``python -m tinygrad_edu``: the course run, and the commands train, compare, gradcheck,
equations, explain and experiment.

With no arguments: the course's planar "flower" data and initial weights, the
table of every gradient computed three ways (by hand, by autodiff, by finite
differences), then 10,000 iterations of gradient descent with autodiff and
the training accuracy: a printout to lay beside the course notebook's.
With ``--plot DIR`` (here or after ``train``) it also saves the cost curve and
the decision boundary as PNG files in DIR (needs ``tinygrad_edu[plot]``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np

from . import __version__, data, experiments, plots
from . import functional as F
from .compare import LOSSES, compare
from .gradcheck import gradcheck
from .manual.activations import ACTIVATIONS
from .nn import deep_network
from .tensor import Tensor
from .training import ENGINES, TrainingResult, init_params, train

BAR_WIDTH = 20


def _progress(iterations: int, every: int) -> Callable[[int, float], None]:
    """A callback printing the cost every ``every`` iterations, with a progress bar."""
    width = len(str(iterations))

    def report(i: int, cost: float) -> None:
        done = i + 1
        if i % every == 0 or done == iterations:
            filled = BAR_WIDTH * done // iterations
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            print(f"  iteration {i:>{width}}  [{bar}]  cost {cost:.6f}", flush=True)

    return report


def _train_and_report(
    args: argparse.Namespace, X: np.ndarray, Y: np.ndarray, engine: str
) -> TrainingResult:
    layer_dims = [X.shape[0], *args.hidden, Y.shape[0]]
    started = time.perf_counter()
    callback = _progress(args.iterations, args.print_every) if args.print_every else None
    result = train(
        X,
        Y,
        layer_dims,
        hidden_activation=args.activation,
        learning_rate=args.lr,
        iterations=args.iterations,
        seed=args.seed,
        engine=engine,
        init=args.init,
        callback=callback,
        batch_size=getattr(args, "batch_size", None),
    )
    seconds = time.perf_counter() - started
    print(
        f"{engine}: training accuracy {100 * result.accuracy(X, Y):.2f}% after "
        f"{args.iterations} iterations ({seconds:.1f} s)"
    )
    return result


def _load_data(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    X, Y = data.load(args.dataset, seed=args.data_seed)
    if args.examples is not None:
        X, Y = X[:, : args.examples], Y[:, : args.examples]
    return X, Y


def course_run(args: argparse.Namespace) -> int:
    """The default: the course's data, network, comparison table and training."""
    X, Y = data.planar_flower()
    n_x, n_h, n_y = X.shape[0], 4, Y.shape[0]
    print(f"tinygrad_edu {__version__}: the course's network with one hidden layer")
    print(
        f"planar flower data: X {X.shape}, Y {Y.shape} (one column per example); "
        f"network {n_x} → {n_h} (tanh) → {n_y} (sigmoid); weights from init_params(seed=2)\n"
    )
    params = init_params([n_x, n_h, n_y], seed=2)
    print(compare(X, Y, params, hidden_activation="tanh"))
    print("\ngradient descent with autodiff: 10000 iterations, learning rate 1.2")
    args.hidden, args.activation, args.lr, args.iterations = [n_h], "tanh", 1.2, 10_000
    args.seed, args.init, args.print_every = 2, "small", 1000
    result = _train_and_report(args, X, Y, "autodiff")
    _save_plots(args, [result], X, Y, "the course's network on the flower data")
    return 0


def _save_plots(
    args: argparse.Namespace,
    results: list[TrainingResult],
    X: np.ndarray,
    Y: np.ndarray,
    title: str,
) -> None:
    """With --plot DIR: the cost curve(s) and the decision boundary of the first result."""
    if args.plot is None:
        return
    costs = {result.engine: result.costs for result in results}
    paths = plots.save_training_plots(costs, results[0].predict, X, Y, args.plot, title)
    print(f"saved {' and '.join(str(path) for path in paths)}")


def train_command(args: argparse.Namespace) -> int:
    X, Y = _load_data(args)
    layer_dims = [X.shape[0], *args.hidden, Y.shape[0]]
    print(
        f"{args.dataset}: X {X.shape}, Y {Y.shape}; layers {layer_dims}, "
        f"{args.activation} hidden, sigmoid output; learning rate {args.lr}"
    )
    engines = ENGINES if args.engine == "both" else (args.engine,)
    results = [_train_and_report(args, X, Y, engine) for engine in engines]
    if len(results) == 2:
        a, b = (np.asarray(r.costs) for r in results)
        gap = float(np.max(np.abs(a - b))) if a.size else 0.0
        print(f"largest difference between the two cost histories: {gap:.2e}")
    _save_plots(args, results, X, Y, f"{args.dataset}, layers {layer_dims}")
    return 0


def compare_command(args: argparse.Namespace) -> int:
    X, Y = _load_data(args)
    params = init_params([X.shape[0], *args.hidden, Y.shape[0]], seed=args.seed, init=args.init)
    report = compare(X, Y, params, hidden_activation=args.activation, loss=args.loss)
    print(report)
    return 0 if report else 1


def _network_graph(args: argparse.Namespace) -> tuple[Tensor, dict[str, Tensor], str]:
    """The network of ``args`` on its data, every tensor named as in the course:
    (J, the tensors by name, a line describing it)."""
    X, Y = _load_data(args)
    layer_dims = [X.shape[0], *args.hidden, Y.shape[0]]
    params = init_params(layer_dims, seed=args.seed, init=args.init)
    model = deep_network(layer_dims, args.activation).load_params(params)
    tensors = {"X": Tensor(X, name="X"), "Y": Tensor(Y, name="Y")}
    Z, named = model.forward_named(tensors["X"])
    J = F.binary_cross_entropy_with_logits(Z, tensors["Y"])
    J.name = "J"
    tensors.update(named)
    for l, layer in enumerate(model.linear_layers(), start=1):
        tensors[f"W{l}"], tensors[f"b{l}"] = layer.W, layer.b
    description = (
        f"{args.dataset} data, m = {X.shape[1]}; layers {layer_dims}, {args.activation} "
        "hidden; J = binary_cross_entropy_with_logits(Z[L], Y)"
    )
    return J, tensors, description


def equations_command(args: argparse.Namespace) -> int:
    from .explain import equations

    J, _, description = _network_graph(args)
    eq = equations(J)
    print(f"# {description}")
    print(eq.source)
    if eq.note:
        print("\n".join("# " + line for line in eq.note.splitlines()))
    return 0


def explain_command(args: argparse.Namespace) -> int:
    from .explain import explain

    J, tensors, description = _network_graph(args)
    if args.wrt not in tensors or not tensors[args.wrt].requires_grad:
        choices = ", ".join(name for name, t in tensors.items() if t.requires_grad)
        raise ValueError(f"explain --wrt {args.wrt}: no such tensor; choose one of {choices}")
    print(description)
    print(explain(J, tensors[args.wrt]))
    if args.html is not None:
        from .stepper import to_html

        path = to_html(J, args.html)
        print(f"\nwrote {path}: open it in a browser and step through the backward pass")
    return 0


def gradcheck_command(args: argparse.Namespace) -> int:
    X, Y = _load_data(args)
    layer_dims = [X.shape[0], *args.hidden, Y.shape[0]]
    params = init_params(layer_dims, seed=args.seed, init=args.init)
    model = deep_network(layer_dims, args.activation).load_params(params)
    names = list(params)
    inputs = [Tensor(params[name], name=name) for name in names]
    layers = model.linear_layers()

    def cost(*values: Tensor) -> Tensor:
        for layer, (W, b) in zip(layers, zip(values[::2], values[1::2])):
            layer.W, layer.b = W, b
        return F.binary_cross_entropy_with_logits(model(X), Y)

    print(
        f"gradient check of J for layers {layer_dims} ({args.activation}) "
        f"on {args.dataset}, m = {X.shape[1]}"
    )
    result = gradcheck(cost, inputs)
    print(result)
    return 0 if result else 1


def experiment_command(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    result = experiments.run(args.name, quick=args.quick)
    print(result)
    print(f"\n({time.perf_counter() - started:.1f} s)")
    if args.plot is not None:
        print(f"saved {experiments.save_plot(result, args.plot)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tinygrad_edu",
        description="With no command: the course run (the flower data, the gradients "
        "three ways, 10,000 iterations of training).",
    )
    parser.add_argument("--version", action="version", version=f"tinygrad_edu {__version__}")
    parser.add_argument(
        "--plot",
        metavar="DIR",
        dest="course_plot",
        help="save the cost curve and the decision boundary as PNG in DIR (needs matplotlib)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def network_options(sub: argparse.ArgumentParser, hidden_default: list[int]) -> None:
        sub.add_argument(
            "--dataset", choices=sorted(data.DATASETS), default="flower", help="default: flower"
        )
        sub.add_argument("--examples", type=_positive_int, help="use only the first N examples")
        sub.add_argument(
            "--data-seed",
            type=int,
            default=1,
            help="seed of the data (default 1: the course's flower)",
        )
        sub.add_argument(
            "--hidden", type=_positive_int, nargs="+", default=hidden_default, metavar="N",
            help=f"hidden layer sizes (default {' '.join(map(str, hidden_default))})",
        )  # fmt: skip
        sub.add_argument(
            "--activation",
            choices=sorted(ACTIVATIONS),
            default="tanh",
            help="hidden activation (default tanh)",
        )
        sub.add_argument(
            "--seed",
            type=int,
            default=2,
            help="seed of the initial weights (default 2, the course's)",
        )
        sub.add_argument(
            "--init",
            choices=["small", "he", "xavier", "zeros"],
            default="small",
            help="weight initialisation (default small: randn × 0.01)",
        )

    train_parser = commands.add_parser("train", help="train a network by gradient descent")
    network_options(train_parser, [4])
    train_parser.add_argument(
        "--lr", type=_positive_float, default=1.2, help="learning rate (default 1.2)"
    )
    train_parser.add_argument(
        "--iterations", type=_non_negative_int, default=10_000, help="default 10000"
    )
    train_parser.add_argument(
        "--engine",
        choices=[*ENGINES, "both"],
        default="autodiff",
        help="autodiff, manual, or both to compare their cost histories",
    )
    train_parser.add_argument(
        "--batch-size",
        type=_positive_int,
        default=None,
        metavar="N",
        help="mini-batch gradient descent: each iteration is an epoch of batches of N "
        "columns, reshuffled every epoch (default: the whole batch)",
    )
    train_parser.add_argument(
        "--print-every",
        type=_non_negative_int,
        default=1000,
        help="print the cost every N iterations (0: never)",
    )
    train_parser.add_argument(
        "--plot",
        metavar="DIR",
        help="save the cost curve and the decision boundary as PNG in DIR (needs matplotlib)",
    )
    train_parser.set_defaults(run=train_command)

    compare_parser = commands.add_parser(
        "compare", help="every gradient three ways: manual, autodiff, numerical"
    )
    network_options(compare_parser, [4])
    compare_parser.add_argument(
        "--loss",
        choices=sorted(LOSSES),
        default="logits",
        help="end the graph with BCE on logits (default) or sigmoid then BCE",
    )
    compare_parser.set_defaults(run=compare_command)

    check_parser = commands.add_parser(
        "gradcheck", help="numerical gradient check of a network's parameters"
    )
    network_options(check_parser, [4])
    check_parser.set_defaults(run=gradcheck_command)

    equations_parser = commands.add_parser(
        "equations", help="the backward pass of the network written as NumPy code"
    )
    network_options(equations_parser, [4])
    equations_parser.set_defaults(run=equations_command)

    explain_parser = commands.add_parser(
        "explain", help="every path from J to one tensor; --html: a page to step through"
    )
    network_options(explain_parser, [4])
    explain_parser.add_argument(
        "--wrt", default="W2", metavar="NAME", help="the tensor to explain (default W2)"
    )
    explain_parser.add_argument(
        "--html", metavar="FILE", help="also write a page that steps through the backward pass"
    )
    explain_parser.set_defaults(run=explain_command)

    experiment_parser = commands.add_parser(
        "experiment", help="rerun one of the course's experiments and print its table"
    )
    experiment_parser.add_argument(
        "name",
        choices=list(experiments.EXPERIMENTS),
        metavar="NAME",
        help=f"one of: {', '.join(experiments.EXPERIMENTS)}",
    )
    experiment_parser.add_argument(
        "--quick", action="store_true", help="a short run: fewer iterations, the same lesson"
    )
    experiment_parser.add_argument(
        "--plot", metavar="DIR", help="save the cost curves as PNG in DIR (needs matplotlib)"
    )
    experiment_parser.set_defaults(run=experiment_command)
    return parser


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "run", None)
    args.plot = getattr(args, "plot", None) or args.course_plot
    if args.plot is not None:
        if run not in (None, train_command, experiment_command):
            message = "--plot goes with the course run or train (or experiment)"
            parser.exit(2, f"{parser.prog}: error: {message}\n")
        try:
            plots.require_matplotlib()  # before training, not after
        except ImportError as error:
            parser.exit(2, f"{parser.prog}: {error}\n")
    try:
        return run(args) if run is not None else course_run(args)
    except ValueError as error:  # e.g. sizes that do not fit the data
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    return 2  # unreachable: parser.exit raises SystemExit


if __name__ == "__main__":
    sys.exit(main())
