/**
 * Numerical identifiability at a fitted point: which parameters the data cannot pin down.
 *
 * The Jacobian J (n × p, ∂r_i/∂x_j) is scaled column by column by each coordinate's typical
 * magnitude t_j (Ĵ = J·diag(t), the sensitivity of the residuals to a relative change of each
 * parameter; rows weighted by √w_i, rows of weight 0 dropped). A direction v is numerically flat
 * when its singular value is at most √ε·σ_max of Ĵ: along it the residuals change by less than
 * double precision can resolve relative to the best-determined direction, so the objective cannot
 * tell the values along v apart. A coordinate loads on a flat direction when its component in the
 * right singular vector is at least LOADING in absolute value; such coordinates are reported as
 * not identified.
 *
 * Typical magnitudes: t_j = max(|x_j|, |x0_j|) (x0 the point the solve started from), or 1 when
 * both are zero. Log-scale law parameters (internal coordinate ln A) pass t_j = 1: a unit change
 * of ln A is already a relative change of A.
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';

/** Flat-direction tolerance on σ/σ_max: √ε. */
export const FLAT_TOLERANCE = Math.sqrt(Number.EPSILON);
/** Smallest |component| of a flat right singular vector for a coordinate to load on it. */
export const LOADING = 0.1;

export interface Identifiability {
  /** σ_min/σ_max of the scaled Jacobian (0 when a column vanishes). */
  ratio: number;
  /** Coordinates (0..p−1) that load on a flat direction, ascending; empty when none is flat. */
  flat: number[];
}

/** Typical magnitude of each coordinate: max(|x_j|, |x0_j|), 1 when both are zero. */
export function typicalScale(x: Float64Array, x0?: Float64Array): Float64Array {
  return x.map((v, j) => {
    const t = Math.max(Math.abs(v), x0 ? Math.abs(x0[j]) : 0);
    return t > 0 && Number.isFinite(t) ? t : 1;
  });
}

/**
 * Flat directions of the column-scaled Jacobian.
 * @example flatDirections(jac, n, 2, Float64Array.of(1, 1)).flat   // [0, 1] when the two columns are equal
 */
export function flatDirections(jac: Float64Array, n: number, p: number, typical: Float64Array, weights?: Float64Array): Identifiability {
  if (p === 0) return { ratio: 1, flat: [] };
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (!weights || weights[i] > 0) rows.push(i);
  if (rows.length === 0) return { ratio: 0, flat: Array.from({ length: p }, (_, j) => j) };
  const J = new Matrix(rows.length, p);
  rows.forEach((i, r) => {
    const w = weights ? Math.sqrt(weights[i]) : 1;
    for (let j = 0; j < p; j++) {
      const v = jac[i * p + j] * typical[j] * w;
      J.set(r, j, Number.isFinite(v) ? v : 0);
    }
  });
  // With fewer rows than coordinates the missing singular values are 0.
  if (rows.length < p) {
    const padded = Matrix.zeros(p, p);
    padded.setSubMatrix(J, 0, 0);
    return fromSvd(padded, p);
  }
  return fromSvd(J, p);
}

function fromSvd(J: Matrix, p: number): Identifiability {
  const svd = new SingularValueDecomposition(J, { computeLeftSingularVectors: false, autoTranspose: true });
  const sigma = svd.diagonal;
  const V = svd.rightSingularVectors;
  const max = Math.max(...sigma);
  if (!(max > 0)) return { ratio: 0, flat: Array.from({ length: p }, (_, j) => j) };
  const flat = new Set<number>();
  let min = Infinity;
  sigma.forEach((s, k) => {
    min = Math.min(min, s);
    if (s > FLAT_TOLERANCE * max) return;
    for (let j = 0; j < p; j++) if (Math.abs(V.get(j, k)) >= LOADING) flat.add(j);
  });
  return { ratio: min / max, flat: [...flat].sort((a, b) => a - b) };
}
