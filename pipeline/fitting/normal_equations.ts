/**
 * The normal equations of one Levenberg–Marquardt iteration: g = Σ w ψ(r_i) J_i and the
 * lower triangle of H = Σ ω_i J_i J_iᵀ (ω = w for least squares and for Huber residuals inside δ,
 * w·δ/|r| outside), then H mirrored to its upper triangle.
 *
 * This is the optimiser's inner loop on large logs (one pass over n × p Jacobian entries per
 * accepted step). For up to UNROLLED_MAX parameters it runs a kernel generated once per p, with
 * g and the triangle of H held in local variables instead of typed-array cells: each entry still
 * adds the same terms in the same row order, so the sums are bit-identical to the plain loop
 * (`normalEquationsLoop`, used for larger p and kept as the reference the tests compare against).
 * Weights are always an array (all ones for an unweighted fit: w·x is then x exactly), so one
 * compiled kernel serves a fit's unweighted subsample and its weighted rows alike.
 */

/** g (length p) and H (p × p, row-major) of the rows with non-zero weight. */
export type NormalEquations = (
  n: number, r: Float64Array, jac: Float64Array, weights: Float64Array, lsq: boolean, delta: number, g: Float64Array, H: Float64Array, outside?: number,
) => void;

/** Largest parameter count with a generated kernel (its triangle has p(p+1)/2 locals). */
export const UNROLLED_MAX = 20;

/** The reference loop: any p. */
export function normalEquationsLoop(p: number): NormalEquations {
  return (n, r, jac, weights, lsq, delta, g, H, outside = 1) => {
    g.fill(0);
    H.fill(0);
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const ri = r[i];
      let psi: number;
      let omega: number;
      if (lsq || Math.abs(ri) <= delta) {
        psi = ri;
        omega = w;
      } else {
        psi = ri > 0 ? delta : -delta;
        omega = (outside * (w * delta)) / Math.abs(ri);
      }
      psi *= w;
      const row = i * p;
      for (let a = 0; a < p; a++) {
        const ja = jac[row + a];
        if (ja === 0) continue;
        g[a] += psi * ja;
        const oja = omega * ja;
        for (let b = 0; b <= a; b++) H[a * p + b] += oja * jac[row + b];
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) H[b * p + a] = H[a * p + b];
  };
}

function generate(p: number): NormalEquations {
  const range = (k: number) => Array.from({ length: k }, (_, i) => i);
  const lines: string[] = [];
  lines.push(`let ${range(p).map((a) => `g${a} = 0`).join(', ')};`);
  lines.push(`let ${range(p).flatMap((a) => range(a + 1).map((b) => `h${a}_${b} = 0`)).join(', ')};`);
  lines.push('for (let i = 0; i < n; i++) {');
  lines.push('  const w = weights[i];');
  lines.push('  if (w === 0) continue;');
  lines.push('  const ri = r[i];');
  lines.push('  let psi, omega;');
  lines.push('  if (lsq || Math.abs(ri) <= delta) { psi = ri; omega = w; } else { psi = ri > 0 ? delta : -delta; omega = (outside * (w * delta)) / Math.abs(ri); }');
  lines.push('  psi *= w;');
  lines.push(`  const row = i * ${p};`);
  for (const a of range(p)) lines.push(`  const j${a} = jac[row + ${a}];`);
  for (const a of range(p)) {
    lines.push(`  if (j${a} !== 0) { g${a} += psi * j${a}; const o = omega * j${a}; ${range(a + 1).map((b) => `h${a}_${b} += o * j${b};`).join(' ')} }`);
  }
  lines.push('}');
  for (const a of range(p)) lines.push(`g[${a}] = g${a};`);
  for (const a of range(p)) for (const b of range(a + 1)) lines.push(`H[${a * p + b}] = h${a}_${b};${a !== b ? ` H[${b * p + a}] = h${a}_${b};` : ''}`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('n', 'r', 'jac', 'weights', 'lsq', 'delta', 'g', 'H', 'outside = 1', lines.join('\n')) as NormalEquations;
}

const kernels = new Map<number, NormalEquations>();

/** The normal-equations kernel for p parameters (generated once per p up to UNROLLED_MAX). */
export function normalEquations(p: number): NormalEquations {
  let kernel = kernels.get(p);
  if (!kernel) {
    kernel = p >= 1 && p <= UNROLLED_MAX ? generate(p) : normalEquationsLoop(p);
    kernels.set(p, kernel);
  }
  return kernel;
}
