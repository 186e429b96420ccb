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
  let m = 0;
  for (let i = 0; i < n; i++) if (!weights || weights[i] > 0) m++;
  if (m === 0) return { ratio: 0, flat: Array.from({ length: p }, (_, j) => j) };
  // Row i of Ĵ (weight > 0) into `out`: J_ij · t_j · √w_i, non-finite entries as 0.
  const scaledRow = (i: number, out: Float64Array) => {
    const w = weights ? Math.sqrt(weights[i]) : 1;
    for (let j = 0; j < p; j++) {
      const v = jac[i * p + j] * typical[j] * w;
      out[j] = Number.isFinite(v) ? v : 0;
    }
  };
  // At least p rows: reduce them to the p × p triangle R of Ĵ = QR first (the same singular values
  // and right singular vectors), so time is O(np²) with a small constant and memory O(p²), even on
  // a million-row fit.
  if (m >= p) return fromSvd(triangle(n, p, scaledRow, weights), p);
  // Fewer rows than coordinates: the missing singular values are 0.
  const padded = Matrix.zeros(p, p);
  const row = new Float64Array(p);
  let r = 0;
  for (let i = 0; i < n; i++) {
    if (weights && !(weights[i] > 0)) continue;
    scaledRow(i, row);
    for (let j = 0; j < p; j++) padded.set(r, j, row[j]);
    r++;
  }
  return fromSvd(padded, p);
}

/**
 * The upper-triangular R (p × p) of the QR factorisation of the rows with weight > 0, by Givens
 * rotations one row at a time (backward stable, like the SVD's own Householder reduction).
 */
function triangle(n: number, p: number, scaledRow: (i: number, out: Float64Array) => void, weights?: Float64Array): Matrix {
  const R = new Float64Array(p * p);
  const v = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    if (weights && !(weights[i] > 0)) continue;
    scaledRow(i, v);
    for (let j = 0; j < p; j++) {
      const b = v[j];
      if (b === 0) continue;
      const a = R[j * p + j];
      let h = Math.sqrt(a * a + b * b);
      if (!(h > 0 && h < Infinity)) h = Math.hypot(a, b);
      const c = a / h;
      const s = b / h;
      R[j * p + j] = h;
      v[j] = 0;
      for (let k = j + 1; k < p; k++) {
        const rk = R[j * p + k];
        const vk = v[k];
        R[j * p + k] = c * rk + s * vk;
        v[k] = c * vk - s * rk;
      }
    }
  }
  const out = new Matrix(p, p);
  for (let j = 0; j < p; j++) for (let k = j; k < p; k++) out.set(j, k, R[j * p + k]);
  return out;
}

function fromSvd(J: Matrix, p: number): Identifiability {
  // The options of ml-matrix's own pseudoInverse (fit.ts's covariance), so that the SVD's compiled
  // code meets one shape of options; the left singular vectors it then also computes change
  // neither the singular values nor the right vectors.
  const svd = new SingularValueDecomposition(J, { autoTranspose: true });
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
