"""Peer for scripts/bench-vs-scipy: the Epoch/Hoffmann grid fit of Chinchilla Approach 3 with
scipy.optimize.minimize(method='L-BFGS-B') and an analytic gradient, exactly as in Epoch AI's
replication (sum of Huber delta=1e-3 on log-loss residuals, 4,500 starts).

Usage: python3 fit_scipy.py DATA.csv [--starts grid|init] [--start-at a,b,e,alpha,beta] [--bootstrap B] [--tight]
(--start-at: the single start of `--starts init`, in log-amplitude coordinates; the bootstrap
refits are warm-started from the best point found. --tight: the bootstrap refits stop at atlas's
own tolerances instead of L-BFGS-B's defaults: ftol 1e-15, which at objectives near 1e-3 and
L-BFGS-B's max(|f|, 1) denominator is a relative decrease of about 1e-12 (atlas's ftol), gtol 1e-10
and up to 15,000 iterations.)
Prints one JSON object on stdout.
"""
import csv
import itertools
import json
import sys
import time

import numpy as np
import scipy
from scipy.optimize import minimize
from scipy.special import huber, logsumexp


def load(path):
    with open(path, newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["epoch_excluded_outlier"] == "0"]
    N = np.array([float(r["N_params"]) for r in rows])
    D = np.array([float(r["D_tokens"]) for r in rows])
    L = np.array([float(r["loss"]) for r in rows])
    return np.log(N), np.log(D), np.log(L)


def make_objective(logN, logD, logL, weights, delta=1e-3):
    def objective(x):
        a, b, e, alpha, beta = x
        terms = np.stack([a - alpha * logN, b - beta * logD, np.full_like(logN, e)])
        pred = logsumexp(terms, axis=0)
        r = pred - logL
        value = np.sum(weights * huber(delta, r))
        w = np.exp(terms - pred)
        psi = weights * np.clip(r, -delta, delta)
        grad = np.array([
            np.sum(psi * w[0]),
            np.sum(psi * w[1]),
            np.sum(psi * w[2]),
            -np.sum(psi * w[0] * logN),
            -np.sum(psi * w[1] * logD),
        ])
        return value, grad
    return objective


def grid_fit(objective, starts):
    best = None
    nfev = 0
    for x0 in starts:
        result = minimize(objective, x0, jac=True, method="L-BFGS-B")
        nfev += result.nfev
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
    return best, nfev


def main():
    path = sys.argv[1]
    mode = sys.argv[sys.argv.index("--starts") + 1] if "--starts" in sys.argv else "grid"
    bootstrap = int(sys.argv[sys.argv.index("--bootstrap") + 1]) if "--bootstrap" in sys.argv else 0
    tight = {"ftol": 1e-15, "gtol": 1e-10, "maxiter": 15000} if "--tight" in sys.argv else {}
    logN, logD, logL = load(path)
    n = len(logL)
    objective = make_objective(logN, logD, logL, np.ones(n))
    # Hoffmann's grid, as Epoch: alpha, beta in {0,...,2}, e in {-1,...,1}, a, b in {0,5,...,25}.
    if mode == "grid":
        starts = [np.array([a, b, e, al, be]) for a, b, e, al, be in itertools.product(
            np.arange(0, 30, 5), np.arange(0, 30, 5), np.linspace(-1, 1, 5), np.linspace(0, 2, 5), np.linspace(0, 2, 5))]
    elif "--start-at" in sys.argv:
        starts = [np.array([float(v) for v in sys.argv[sys.argv.index("--start-at") + 1].split(",")])]
    else:
        starts = [np.array([6.0073404, 6.0179186, 0.5267228, 0.33917084, 0.2849083])]
    t0 = time.perf_counter()
    best, nfev = grid_fit(objective, starts)
    seconds = time.perf_counter() - t0
    a, b, e, alpha, beta = best.x
    out = {
        "solver": "scipy.optimize.minimize(L-BFGS-B, analytic gradient)",
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "python": sys.executable,
        "starts": len(starts),
        "seconds": seconds,
        "nfev": int(nfev),
        "objective": float(best.fun),
        "params": {"A": float(np.exp(a)), "B": float(np.exp(b)), "E": float(np.exp(e)), "alpha": float(alpha), "beta": float(beta)},
    }
    if bootstrap:
        rng = np.random.default_rng(0)
        x_best = best.x
        t0 = time.perf_counter()
        draws = []
        costs = []
        for _ in range(bootstrap):
            counts = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
            objective_b = make_objective(logN, logD, logL, counts)
            result = minimize(objective_b, x_best, jac=True, method="L-BFGS-B", options=tight)
            draws.append(result.x)
            costs.append(result.fun)
        out["bootstrap"] = {"samples": bootstrap, "seconds": time.perf_counter() - t0, "tight": bool(tight),
                            "mean_objective": float(np.mean(costs)),
                            "stderr": dict(zip(["a", "b", "e", "alpha", "beta"], map(float, np.std(np.array(draws), axis=0, ddof=1))))}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
