/**
 * Iso-loss scaling when a model must serve more languages (ATLAS §5.3, Eq. 8).
 *
 * A model of N parameters trained on D total tokens spread uniformly over K languages has, under
 * the curse law L = E + A·K^phi/N^alpha + B·K^psi/D_t^beta (D_t = D/K), the two reducible terms
 *
 *   P = A·K^phi/N^alpha      and      Q = B·K^psi/D_t^beta.
 *
 * Serving rK languages at the same loss with N′ = s·N and per-language tokens D′_t = t·D_t
 * (total tokens D′ = r·t·D) requires
 *
 *   r^phi·w_N·s^(−alpha) + r^psi·w_D·t^(−beta) = 1,      w_N = P/(P+Q), w_D = Q/(P+Q)      (Eq. 8)
 *
 * which is the iso-loss curve t(s) = [r^psi·w_D / (1 − r^phi·w_N·s^(−alpha))]^(1/beta), defined for
 * s^alpha > r^phi·w_N. Along it, compute C ∝ N′·D′ = r·s·t·N·D is smallest where the two terms
 * take the shares u = beta/(alpha+beta) and v = alpha/(alpha+beta):
 *
 *   s* = (r^phi·w_N·(alpha+beta)/beta)^(1/alpha),      t* = (r^psi·w_D·(alpha+beta)/alpha)^(1/beta).
 *
 * From a compute-optimal baseline (w_N = beta/(alpha+beta)) this is the paper's s* = r^(phi/alpha),
 * t* = r^(psi/beta): every error term is restored on its own.
 */
import { InputError } from '../io/types.ts';

/** Curse-law values on the natural scale (E is not needed: it cancels). */
export interface CurseValues {
  A: number;
  B: number;
  alpha: number;
  beta: number;
  phi: number;
  psi: number;
  E?: number;
}

/** A baseline model and the growth factor of its language count. */
export interface IsoLossRequest {
  /** Parameters of the baseline model. */
  params: number;
  /** Total training tokens of the baseline (spread uniformly over its K languages). */
  tokens: number;
  /** Languages served by the baseline. */
  k: number;
  /** Languages to serve (any real > 0; rK/K is the factor r). */
  targetK: number;
}

/** One point of the iso-loss curve. */
export interface IsoLossPoint {
  /** N′/N. */
  s: number;
  /** D′_t/D_t: tokens of each language. */
  t: number;
  /** D′/D = r·t: total tokens. */
  totalTokens: number;
  /** C′/C = r·s·t under C = 6·N·D. */
  compute: number;
  /** N′. */
  params: number;
  /** D′ (total). */
  tokens: number;
}

/** The full answer for a K → rK request. */
export interface IsoLossPlan {
  r: number;
  /** Reducible-term weights of the baseline. */
  wN: number;
  wD: number;
  /** Baseline loss (when E is known) and its reducible terms. */
  loss: number | null;
  paramTerm: number;
  dataTerm: number;
  /** Loss of the baseline (N, D) when it must serve rK languages instead, unchanged. */
  lossAtTargetK: number | null;
  /** Minimum-compute point on the iso-loss curve from this baseline. */
  optimum: IsoLossPoint;
  /** §5.3 multipliers (exact when the baseline is compute-optimal; independent of A, B). */
  paperMultipliers: { params: number; totalTokens: number; targetTokens: number; compute: number };
  /** Points of the curve, ascending s. */
  curve: IsoLossPoint[];
  /** Smallest feasible s (the curve's vertical asymptote) and smallest t (its horizontal asymptote). */
  sMin: number;
  tMin: number;
}

function point(s: number, t: number, r: number, req: IsoLossRequest): IsoLossPoint {
  return { s, t, totalTokens: r * t, compute: r * s * t, params: s * req.params, tokens: r * t * req.tokens };
}

/** t(s) on the iso-loss curve (Eq. 8); NaN where s is infeasible. */
export function isoLossT(s: number, r: number, wN: number, values: CurseValues): number {
  const denominator = 1 - Math.pow(r, values.phi) * wN * Math.pow(s, -values.alpha);
  if (!(denominator > 0)) return NaN;
  return Math.pow((Math.pow(r, values.psi) * (1 - wN)) / denominator, 1 / values.beta);
}

/** s(t) on the iso-loss curve (Eq. 8); NaN where t is infeasible. */
export function isoLossS(t: number, r: number, wN: number, values: CurseValues): number {
  const denominator = 1 - Math.pow(r, values.psi) * (1 - wN) * Math.pow(t, -values.beta);
  if (!(denominator > 0)) return NaN;
  return Math.pow((Math.pow(r, values.phi) * wN) / denominator, 1 / values.alpha);
}

function checkValues(values: CurseValues): void {
  for (const name of ['A', 'B', 'alpha', 'beta', 'phi', 'psi'] as const) {
    if (!Number.isFinite(values[name])) throw new InputError(`coefficients: ${name}: missing or not a finite number`);
  }
  if (!(values.A > 0 && values.B > 0 && values.alpha > 0 && values.beta > 0)) {
    throw new InputError('coefficients: A, B, alpha and beta must be > 0 for an iso-loss plan');
  }
}

/**
 * The K → rK plan: curve weights, minimum-compute point, the paper's multipliers and `points`
 * points of the iso-loss curve spaced geometrically in s around the optimum (factor 2^(1/2)
 * apart, feasible ones only; the optimum and s = 1 are always included when feasible).
 */
export function isoLossPlan(values: CurseValues, req: IsoLossRequest, points = 9): IsoLossPlan {
  checkValues(values);
  for (const [name, v] of [['params', req.params], ['tokens', req.tokens], ['k', req.k], ['target-k', req.targetK]] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw new InputError(`--${name}: expected a number > 0, got ${v}`);
  }
  const { A, B, alpha, beta, phi, psi } = values;
  const r = req.targetK / req.k;
  const dT = req.tokens / req.k;
  const paramTerm = (A * Math.pow(req.k, phi)) / Math.pow(req.params, alpha);
  const dataTerm = (B * Math.pow(req.k, psi)) / Math.pow(dT, beta);
  const wN = paramTerm / (paramTerm + dataTerm);
  const wD = 1 - wN;
  const sStar = Math.pow((Math.pow(r, phi) * wN * (alpha + beta)) / beta, 1 / alpha);
  const tStar = Math.pow((Math.pow(r, psi) * wD * (alpha + beta)) / alpha, 1 / beta);
  const sMin = Math.pow(Math.pow(r, phi) * wN, 1 / alpha);
  const tMin = Math.pow(Math.pow(r, psi) * wD, 1 / beta);
  const ss = new Set<number>([sStar]);
  const half = Math.floor(points / 2);
  for (let k = -half; k <= half; k++) ss.add(sStar * Math.pow(2, k / 2));
  ss.add(1);
  const curve: IsoLossPoint[] = [];
  for (const s of [...ss].sort((a, b) => a - b)) {
    const t = s === sStar ? tStar : isoLossT(s, r, wN, values);
    if (Number.isFinite(t)) curve.push(point(s, t, r, req));
  }
  const E = values.E;
  const lossAt = (k: number): number | null => (E === undefined || !Number.isFinite(E)
    ? null
    : E + (A * Math.pow(k, phi)) / Math.pow(req.params, alpha) + (B * Math.pow(k, psi)) / Math.pow(req.tokens / k, beta));
  return {
    r,
    wN,
    wD,
    loss: lossAt(req.k),
    paramTerm,
    dataTerm,
    lossAtTargetK: lossAt(req.targetK),
    optimum: point(sStar, tStar, r, req),
    paperMultipliers: {
      params: Math.pow(r, phi / alpha),
      totalTokens: Math.pow(r, 1 + psi / beta),
      targetTokens: Math.pow(r, psi / beta),
      compute: Math.pow(r, 1 + phi / alpha + psi / beta),
    },
    curve,
    sMin,
    tMin,
  };
}
