"""Independent reference values for `atlas reproduce regmix` and `atlas reproduce mixing-laws`.

Recomputes, with numpy/scipy and without atlas, the numbers the reproduce targets compare with:

- RegMix (datasets/regmix, verbatim files): Spearman rho on the held-out 1M, 60M and 1B sets of
  (a) OLS with intercept on the raw weights (RegMix's linear baseline), (b) OLS without intercept
  on the weights renormalised to sum 1, (c) the data mixing law L = c + exp(t . r), fitted by
  scipy.optimize.least_squares from a grid of starts, all fitted on the 512 1M training runs.
- data-mixing-laws (datasets/data-mixing-laws, 5Mix, step 20000, Pile-CC): the mixing law with
  the size term L = c + exp(t . r - alpha ln(N/N0)) fitted on 70M-410M and scored on the 1B runs
  (MAPE and rho).

Run from the repository root: python3 scripts/reference/mixture_laws.py
"""
import csv

import numpy as np
from scipy.optimize import least_squares
from scipy.stats import spearmanr


def regmix_set(mixture, loss):
    mix = list(csv.reader(open(f"datasets/regmix/{mixture}")))
    los = list(csv.reader(open(f"datasets/regmix/{loss}")))
    k = los[0].index("metric/the_pile_pile_cc_val_loss")
    by_index = {r[0]: [float(v) for v in r[1:]] for r in mix[1:]}
    rows = [r for r in los[1:] if r]
    return np.array([by_index[r[0]] for r in rows]), np.array([float(r[k]) for r in rows])


def fit_mixing_law(x, y, extra=None):
    """Best least-squares fit of c + exp(x @ t [- alpha * extra]) over a grid of c starts."""
    best = None
    for f in [0.05, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98]:
        c0 = f * y.min()
        t0 = np.linalg.lstsq(x, np.log(y - c0), rcond=None)[0]
        p0 = np.r_[c0, t0] if extra is None else np.r_[c0, t0, 0.3]

        def model(p, x=x, extra=extra):
            s = x @ p[1 : 1 + x.shape[1]]
            if extra is not None:
                s = s - p[-1] * extra
            return p[0] + np.exp(s)

        r = least_squares(lambda p: model(p) - y, p0, method="lm", max_nfev=20000)
        if best is None or r.cost < best[0].cost:
            best = (r, model)
    return best


def regmix():
    sets = [("train_mixture_1m.csv", "train_pile_loss_1m.csv"), ("test_mixture_1m.csv", "test_pile_loss_1m.csv"),
            ("test_mixture_60m.csv", "test_pile_loss_60m.csv"), ("test_mixture_1B.csv", "test_pile_loss_1B.csv")]
    (xtr, ytr), *tests = [regmix_set(*s) for s in sets]
    one = lambda x: np.c_[np.ones(len(x)), x]
    norm = lambda x: x / x.sum(1, keepdims=True)
    b = np.linalg.lstsq(one(xtr), ytr, rcond=None)[0]
    print("regmix OLS with intercept     ", [round(spearmanr(one(x) @ b, y)[0], 4) for x, y in tests])
    w = np.linalg.lstsq(norm(xtr), ytr, rcond=None)[0]
    print("regmix OLS renormalised       ", [round(spearmanr(norm(x) @ w, y)[0], 4) for x, y in tests])
    r, model = fit_mixing_law(norm(xtr), ytr)
    print("regmix mixing law             ", [round(spearmanr(model(r.x, norm(x)), y)[0], 4) for x, y in tests], "c =", round(r.x[0], 4))


def mixing_laws():
    order = ["academic", "prose", "dialogue", "symbolic", "internet"]
    rows = []
    for size in ["70M", "160M", "305M", "410M", "1B"]:
        for r in csv.DictReader(open(f"datasets/data-mixing-laws/5Mix_{size}.csv")):
            if r["step"] == "20000" and r["valid_domain"] == "Pile-CC":
                rows.append((float(r["N_nonembed"]), [float(v) for v in r["train_mixture"].split("-")], float(r["loss"])))
    n = np.array([r[0] for r in rows])
    x = np.array([r[1] for r in rows])
    y = np.array([r[2] for r in rows])
    train = n < 8e8
    ln0 = np.log(n[train]).mean()
    r, model = fit_mixing_law(x[train], y[train], np.log(n[train]) - ln0)
    pred = model(r.x, x[~train], np.log(n[~train]) - ln0)
    mape = 100 * np.mean(np.abs(pred - y[~train]) / y[~train])
    print("5Mix mixing law 70M-410M -> 1B: MAPE %.4f %%, rho %.4f, rows %d" % (mape, spearmanr(pred, y[~train])[0], (~train).sum()), "order", order)


if __name__ == "__main__":
    regmix()
    mixing_laws()
