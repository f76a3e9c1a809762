#!/usr/bin/env python3
"""Ask/tell bridge between Morphling's replay benchmark (TypeScript) and peer optimisers in Python.

JSON lines on stdin, one JSON line answered on stdout per request:

  {"hello": {}}                    -> {"hello": {"python": "3.11.2", "optuna": "3.1.0" | null,
                                                 "cmaes": ... | null, "sklearn": ... | null}}
  {"init": {"peer": "optuna-tpe", "seed": 1, "maximize": true,
            "parameters": [{"name": "cpu", "size": 5, "ordinal": true,
                            "positions": [0, 0.25, 0.5, 0.75, 1]}, ...],
            "candidates": 5000}}    -> {"ok": true}     (starts a fresh study; replaces any previous one)
  {"ask": {}}                      -> {"ask": {"id": 3, "indices": [0, 5, 2, 1]}}
  {"tell": {"id": 3 | null, "indices": [...], "value": 12.5 | null}}   -> {"ok": true}

A configuration is a list of value indices, one per parameter. Ordinal knobs (cores, batch sizes) are
integer distributions over their indices, categorical knobs (GPU type) categorical distributions over
them. A tell without an id adds an externally evaluated point (the initial design); value null is a
trial with no value (infeasible or failed). Any failure answers {"error": "...", "missing": module?}.

Peers: optuna-tpe, optuna-cmaes, optuna-random (Optuna samplers), sklearn-gp-ei (scikit-learn Gaussian
process, Matern 5/2 + white noise, expected improvement over every untried configuration).
"""

import itertools
import json
import math
import platform
import sys
import warnings

warnings.filterwarnings("ignore")


def version_of(module):
    try:
        return __import__(module).__version__
    except Exception:
        return None


class OptunaPeer:
    def __init__(self, kind, seed, parameters, maximize):
        import optuna
        from optuna.distributions import CategoricalDistribution, IntDistribution

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        self.optuna = optuna
        self.names = [p["name"] for p in parameters]
        self.distributions = {
            p["name"]: (
                IntDistribution(0, p["size"] - 1)
                if p["ordinal"]
                else CategoricalDistribution(list(range(p["size"])))
            )
            for p in parameters
        }
        if kind == "optuna-tpe":
            sampler = optuna.samplers.TPESampler(seed=seed)
        elif kind == "optuna-cmaes":
            import cmaes  # noqa: F401  (CmaEsSampler needs it; fail here with a clear "missing")

            sampler = optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
        elif kind == "optuna-random":
            sampler = optuna.samplers.RandomSampler(seed=seed)
        else:
            raise ValueError(f"unknown peer {kind}")
        self.study = optuna.create_study(
            direction="maximize" if maximize else "minimize", sampler=sampler
        )
        self.pending = {}

    def ask(self):
        trial = self.study.ask(self.distributions)
        self.pending[trial.number] = trial
        return trial.number, [int(trial.params[name]) for name in self.names]

    def tell(self, trial_id, indices, value):
        from optuna.trial import TrialState, create_trial

        if trial_id is not None and trial_id in self.pending:
            trial = self.pending.pop(trial_id)
            if value is None:
                self.study.tell(trial, state=TrialState.FAIL)
            else:
                self.study.tell(trial, float(value))
            return
        params = {name: int(i) for name, i in zip(self.names, indices)}
        if value is None:
            trial = create_trial(
                params=params, distributions=self.distributions, state=TrialState.FAIL
            )
        else:
            trial = create_trial(
                params=params, distributions=self.distributions, value=float(value)
            )
        self.study.add_trial(trial)


class GpEiPeer:
    """scikit-learn GP regression with expected improvement, argmax over the untried configurations."""

    def __init__(self, seed, parameters, maximize, limit):
        import numpy as np
        from sklearn.gaussian_process import GaussianProcessRegressor  # noqa: F401

        self.np = np
        self.seed = seed
        self.sign = 1.0 if maximize else -1.0
        self.parameters = parameters
        self.rng = np.random.default_rng(seed)
        sizes = [p["size"] for p in parameters]
        total = math.prod(sizes)
        if total <= limit:
            self.candidates = [tuple(c) for c in itertools.product(*[range(s) for s in sizes])]
        else:
            seen = set()
            while len(seen) < limit:
                seen.add(tuple(int(self.rng.integers(s)) for s in sizes))
            self.candidates = sorted(seen)
        self.tried = set()
        self.x = []
        self.y = []
        self.next_id = 0

    def encode(self, indices):
        vector = []
        for p, i in zip(self.parameters, indices):
            if p["ordinal"]:
                positions = p.get("positions")
                vector.append(
                    positions[i] if positions else (i / (p["size"] - 1) if p["size"] > 1 else 0.5)
                )
            else:
                vector.extend(1.0 if k == i else 0.0 for k in range(p["size"]))
        return vector

    def ask(self):
        np = self.np
        untried = [c for c in self.candidates if c not in self.tried]
        if not untried:
            raise RuntimeError("every candidate has been tried")
        trial_id = self.next_id
        self.next_id += 1
        if len(self.y) < 2:
            pick = untried[int(self.rng.integers(len(untried)))]
            return trial_id, list(pick)
        from scipy.stats import norm
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        dim = len(self.x[0])
        kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
            length_scale=np.ones(dim), length_scale_bounds=(1e-2, 1e2), nu=2.5
        ) + WhiteKernel(1e-4, (1e-8, 1e-1))
        gp = GaussianProcessRegressor(
            kernel=kernel, normalize_y=True, n_restarts_optimizer=2, random_state=self.seed
        )
        gp.fit(np.array(self.x), np.array(self.y))
        xs = np.array([self.encode(c) for c in untried])
        mean, sd = gp.predict(xs, return_std=True)
        best = max(self.y)
        xi = 0.01 * (np.std(self.y) or 1.0)
        sd = np.maximum(sd, 1e-12)
        z = (mean - best - xi) / sd
        ei = (mean - best - xi) * norm.cdf(z) + sd * norm.pdf(z)
        return trial_id, list(untried[int(np.argmax(ei))])

    def tell(self, trial_id, indices, value):
        self.tried.add(tuple(int(i) for i in indices))
        if value is not None:
            self.x.append(self.encode(indices))
            self.y.append(self.sign * float(value))


def make_peer(spec):
    kind = spec["peer"]
    seed = int(spec.get("seed", 1))
    parameters = spec["parameters"]
    maximize = bool(spec.get("maximize", True))
    if kind.startswith("optuna-"):
        return OptunaPeer(kind, seed, parameters, maximize)
    if kind == "sklearn-gp-ei":
        return GpEiPeer(seed, parameters, maximize, int(spec.get("candidates", 5000)))
    raise ValueError(f"unknown peer {kind}")


def handle(message, state):
    if "hello" in message:
        return {
            "hello": {
                "python": platform.python_version(),
                "optuna": version_of("optuna"),
                "cmaes": version_of("cmaes"),
                "sklearn": version_of("sklearn"),
            }
        }
    if "init" in message:
        state["peer"] = None
        state["peer"] = make_peer(message["init"])
        return {"ok": True}
    peer = state.get("peer")
    if peer is None:
        raise RuntimeError("no peer: send init first")
    if "ask" in message:
        trial_id, indices = peer.ask()
        return {"ask": {"id": trial_id, "indices": indices}}
    if "tell" in message:
        tell = message["tell"]
        peer.tell(tell.get("id"), tell["indices"], tell.get("value"))
        return {"ok": True}
    raise ValueError(f"unknown request {sorted(message)}")


def main():
    state = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = handle(json.loads(line), state)
        except ModuleNotFoundError as error:
            reply = {"error": f"python module {error.name} is not installed", "missing": error.name}
        except Exception as error:  # reported to the caller, which decides what to do
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
