"""Peer for the joint ATLAS fit benchmark (scripts/bench-atlas-fit.ts): the same law, design, data,
starts and screening strategy as `atlas fit`, solved with scipy.optimize.least_squares
(method='trf', loss='huber', f_scale=delta: the same objective, sum of Huber_delta of log-loss
residuals) and the law's analytic Jacobian, vectorised with numpy.

Usage: python3 atlas_trf.py DIR [--x-scale 1|jac] [--no-prune] [--jac analytic|2-point]
(scipy's default x_scale=1 unless told; the analytic Jacobian unless told)
DIR holds meta.json (n, p, slots, other_param, deff_floor, delta, lower, upper, starts, search_rows,
search and polish tolerances, prune factor/after) and one raw little-endian array per field
(float64: logN dT uT dK uK dO uO y; int32: kParam), written by the benchmark from atlas's own design.

Screening, as atlas's multiStart: starts ordered by their objective on the subsample, run in
batches of 1, 8, 16, 32, ... on the subsample with the loose tolerance; a start whose objective
after one iteration is still above PRUNE_FACTOR x the best objective of the earlier batches is
abandoned (decided with a one-iteration run, then the start is run in full from the beginning, so
the kept runs are the plain scipy runs); the three best distinct optima are then polished on all
rows at the tight tolerances. With --no-prune no start is abandoned: every start runs to the loose
tolerance on the subsample (the plain multi-start script a researcher would write around
least_squares). Prints one JSON object on stdout.
"""
import json
import os
import sys
import time

import numpy as np
import scipy
from scipy.optimize import least_squares


def load(folder):
    with open(os.path.join(folder, "meta.json")) as handle:
        meta = json.load(handle)
    arrays = {}
    for name in ["logN", "dT", "uT", "dK", "uK", "dO", "uO", "y"]:
        arrays[name] = np.fromfile(os.path.join(folder, name + ".f64"), dtype="<f8")
    arrays["kParam"] = np.fromfile(os.path.join(folder, "kParam.i32"), dtype="<i4")
    return meta, arrays


def repetition(d, u, lam):
    """S_lambda(D; U) and dS/dlambda (atlas's repetition.ts), elementwise."""
    with np.errstate(all="ignore"):
        rep = d > u
        r = np.where(rep, d / u - 1, 0.0)
        em = np.expm1(-lam * r)
        uu = np.where(rep, u, 0.0)
        s = np.where(rep, uu * (1 - em / lam), d)
        ds = np.where(rep, uu * ((r * (em + 1)) / lam + em / (lam * lam)), 0.0)
    return s, ds


class AtlasProblem:
    def __init__(self, meta, a, rows=None):
        take = (lambda v: v) if rows is None else (lambda v: v[rows])
        self.p = meta["p"]
        self.slots = meta["slots"]
        self.other = meta["other_param"]
        self.floor = meta["deff_floor"]
        self.logN = take(a["logN"])
        self.dT = take(a["dT"])
        self.uT = take(a["uT"])
        self.dO = take(a["dO"])
        self.uO = take(a["uO"])
        self.y = take(a["y"])
        n_all = len(a["logN"])
        k = a["kParam"].reshape(n_all, max(self.slots, 1))
        dk = a["dK"].reshape(n_all, max(self.slots, 1))
        uk = a["uK"].reshape(n_all, max(self.slots, 1))
        self.kParam = k if rows is None else k[rows]
        self.dK = dk if rows is None else dk[rows]
        self.uK = uk if rows is None else uk[rows]
        self.n = len(self.y)
        self.index = np.arange(self.n)
        self.cache_x = None

    def _evaluate(self, theta):
        e, a, b, alpha, beta = theta[:5]
        lam = np.exp(theta[5])
        st, dst = repetition(self.dT, self.uT, lam)
        x = np.zeros(self.n)
        dx = np.zeros(self.n)
        slot_s = []
        for s in range(self.slots):
            k = self.kParam[:, s]
            used = k >= 0
            sv, dsv = repetition(self.dK[:, s], self.uK[:, s], lam)
            sv = np.where(used, sv, 0.0)
            dsv = np.where(used, dsv, 0.0)
            tau = np.where(used, theta[np.maximum(k, 0)], 0.0)
            x += tau * sv
            dx += tau * dsv
            slot_s.append((k, used, sv))
        so = np.zeros(self.n)
        if self.other >= 0:
            so, dso = repetition(self.dO, self.uO, lam)
            x += theta[self.other] * so
            dx += theta[self.other] * dso
        q = 1 + x / st
        above = q >= self.floor
        with np.errstate(all="ignore"):
            deff = st + x
            h = 2 * self.floor - q
            logD = np.where(above, np.log(np.where(above, deff, 1.0)), np.log(st) + 2 * np.log(self.floor) - np.log(np.where(above, 1.0, h)))
            gTau = np.where(above, 1 / deff, 1 / (h * st))
            gLam = np.where(above, (dst + dx) / deff, dst / st + (dx / st - (x * dst) / (st * st)) / h)
        tA = a - alpha * self.logN
        tB = b - beta * logD
        m = np.maximum(np.maximum(tA, tB), e)
        xA = np.exp(tA - m)
        xB = np.exp(tB - m)
        xE = np.exp(e - m)
        total = xA + xB + xE
        pred = m + np.log(total)
        return pred, (xA, xB, xE, total, logD, gTau, gLam, so, slot_s, lam, beta)

    def _cached(self, theta):
        # scipy asks for the Jacobian at the point whose residuals it has just computed.
        if self.cache_x is None or not np.array_equal(self.cache_x, theta):
            self.cache_x = np.array(theta, copy=True)
            self.cache = self._evaluate(theta)
        return self.cache

    def residuals(self, theta):
        pred, _ = self._cached(theta)
        return pred - self.y

    def jacobian(self, theta):
        _, (xA, xB, xE, total, logD, gTau, gLam, so, slot_s, lam, beta) = self._cached(theta)
        J = np.zeros((self.n, self.p))
        wA = xA / total
        wB = xB / total
        J[:, 0] = xE / total
        J[:, 1] = wA
        J[:, 2] = wB
        J[:, 3] = -wA * self.logN
        J[:, 4] = -wB * logD
        c = -beta * wB
        J[:, 5] = c * gLam * lam
        if self.other >= 0:
            J[:, self.other] = c * gTau * so
        for k, used, sv in slot_s:
            rows = self.index[used]
            np.add.at(J, (rows, k[used]), (c * gTau * sv)[used])
        return J


def huber_cost(r, delta):
    a = np.abs(r)
    return float(np.sum(np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))))


def batch_sizes(total):
    sizes = [1]
    size = 8
    done = 1
    while done < total:
        sizes.append(min(size, total - done))
        done += size
        size = min(size * 2, 256)
    return sizes


def same_optimum(a, b):
    return bool(np.all(np.abs(a - b) <= 1e-4 * np.maximum(1, np.abs(a))))


def main():
    folder = sys.argv[1]
    meta, arrays = load(folder)
    delta = meta["delta"]
    lower = np.array([-np.inf if v is None else v for v in meta["lower"]])
    upper = np.array([np.inf if v is None else v for v in meta["upper"]])
    starts = [np.array(s, dtype=float) for s in meta["starts"]]
    full = AtlasProblem(meta, arrays)
    sub = AtlasProblem(meta, arrays, np.array(meta["search_rows"], dtype=np.int64))
    x_scale = sys.argv[sys.argv.index("--x-scale") + 1] if "--x-scale" in sys.argv else "1"
    common = dict(method="trf", loss="huber", f_scale=delta, bounds=(lower, upper), x_scale="jac" if x_scale == "jac" else float(x_scale))

    # --jac 2-point: scipy's default Jacobian (forward differences, p + 1 residual evaluations each)
    # instead of the law's analytic one.
    two_point = "--jac" in sys.argv and sys.argv[sys.argv.index("--jac") + 1] == "2-point"

    def run(problem, x0, **kw):
        x0 = np.clip(x0, lower, upper)
        return least_squares(problem.residuals, x0, jac="2-point" if two_point else problem.jacobian, **common, **kw)

    t0 = time.perf_counter()
    initial = [huber_cost(sub.residuals(np.clip(s, lower, upper)), delta) for s in starts]
    order = sorted(range(len(starts)), key=lambda s: (np.isnan(initial[s]), initial[s], s))
    best = np.inf
    found = []  # (cost, x, start)
    nfev = 0
    abandoned = 0
    done = 0
    for size in batch_sizes(len(order)):
        batch = order[done:done + size]
        done += size
        threshold = np.inf if "--no-prune" in sys.argv else meta["prune_factor"] * best
        costs = []
        for s in batch:
            if np.isfinite(threshold):
                probe = run(sub, starts[s], ftol=meta["search_ftol"], max_nfev=meta["prune_after"] + 1)
                nfev += probe.nfev
                if probe.cost > threshold:
                    abandoned += 1
                    continue
            result = run(sub, starts[s], ftol=meta["search_ftol"], max_nfev=meta["max_iterations"])
            nfev += result.nfev
            if not np.isfinite(result.cost):
                continue
            costs.append(result.cost)
            for k, (c, x, st) in enumerate(found):
                if same_optimum(x, result.x) and abs(c - result.cost) <= 1e-9 * max(c, 1e-300):
                    if result.cost < c:
                        found[k] = (result.cost, result.x, s)
                    break
            else:
                found.append((result.cost, result.x, s))
            found.sort(key=lambda t: (t[0], t[2]))
            del found[8:]
        if costs:
            best = min(best, min(costs))
    search_seconds = time.perf_counter() - t0
    polished = []
    for cost, x, s in found[:3]:
        result = run(full, x, ftol=meta["ftol"], xtol=meta["xtol"], gtol=meta["gtol"], max_nfev=meta["max_iterations"])
        nfev += result.nfev
        polished.append(result)
    seconds = time.perf_counter() - t0
    winner = min(polished, key=lambda r: r.cost)
    print(json.dumps({
        "solver": f"scipy.optimize.least_squares(method='trf', loss='huber', {'2-point' if two_point else 'analytic'} Jacobian)",
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "rows": full.n,
        "search_rows": sub.n,
        "starts": len(starts),
        "abandoned": abandoned,
        "prune": "--no-prune" not in sys.argv,
        "seconds": seconds,
        "search_seconds": search_seconds,
        "nfev": int(nfev),
        "objective": float(huber_cost(full.residuals(winner.x), delta)),
        "status": int(winner.status),
        "x": [float(v) for v in winner.x],
    }))


if __name__ == "__main__":
    main()
