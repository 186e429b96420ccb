/**
 * The 27 model functions of the NIST StRD nonlinear-regression problems, each with its analytic
 * Jacobian ∂f/∂b_j.
 *
 * A model maps one observation's predictors (x, or x1 and x2 for Nelson) and the parameter vector
 * b = (b1, …, bp) to the model value f(x; b). NIST's residual is r_i = y_i − f(x_i; b); Nelson's
 * model is for log y, so its response is transformed first (`response: 'log'`).
 *
 * Every model carries the formula exactly as its `.dat` file writes it (the lines of the file's
 * model block joined with one space), so a test can tie each function to the file it claims to
 * implement; the same test evaluates the certified residual sum of squares at the certified
 * values, which fails for any algebraic slip, and compares every Jacobian column with central
 * differences.
 *
 * Formulas are written so that they stay accurate in double precision near the certified
 * solutions (no cancellations beyond what the models themselves imply).
 */

/** One NIST model: f(x; b) and its gradient in b. */
export interface NistModel {
  /** Problem names this model serves (Gauss1–3 share one model, and so on). */
  problems: readonly string[];
  /** Number of parameters. */
  p: number;
  /** The model block of the `.dat` file, lines trimmed and joined with one space. */
  formula: string;
  /** `log`: the model is for log y (Nelson); otherwise for y. */
  response: 'identity' | 'log';
  /**
   * f(x_i; b) for observation `i` of the predictor columns `x` (x[0] = x or x1, x[1] = x2).
   * When `grad` is given, ∂f/∂b_j is written to grad[j] for j < p.
   */
  evaluate(b: Float64Array, x: readonly Float64Array[], i: number, grad?: Float64Array): number;
}

/** π to double precision (Roszman1 defines it to 30 digits; ENSO uses it undefined). */
const PI = Math.PI;

/** b1*(1-exp[-b2*x]): Misra1a and BoxBOD. */
function expRise(b: Float64Array, x: number, grad?: Float64Array): number {
  const e = Math.exp(-b[1] * x);
  const rise = -Math.expm1(-b[1] * x);
  if (grad) {
    grad[0] = rise;
    grad[1] = b[0] * x * e;
  }
  return b[0] * rise;
}

/** exp[-b1*x]/(b2+b3*x): Chwirut1 and Chwirut2. */
function chwirut(b: Float64Array, x: number, grad?: Float64Array): number {
  const e = Math.exp(-b[0] * x);
  const d = b[1] + b[2] * x;
  const f = e / d;
  if (grad) {
    grad[0] = -x * f;
    grad[1] = -f / d;
    grad[2] = (-x * f) / d;
  }
  return f;
}

/** Sum of three exponentials b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x): Lanczos1–3. */
function lanczos(b: Float64Array, x: number, grad?: Float64Array): number {
  let f = 0;
  for (let k = 0; k < 6; k += 2) {
    const e = Math.exp(-b[k + 1] * x);
    f += b[k] * e;
    if (grad) {
      grad[k] = e;
      grad[k + 1] = -b[k] * x * e;
    }
  }
  return f;
}

/** b1*exp(-b2*x) + b3*exp(-(x-b4)²/b5²) + b6*exp(-(x-b7)²/b8²): Gauss1–3. */
function gauss(b: Float64Array, x: number, grad?: Float64Array): number {
  const e = Math.exp(-b[1] * x);
  let f = b[0] * e;
  if (grad) {
    grad[0] = e;
    grad[1] = -b[0] * x * e;
  }
  for (const k of [2, 5]) {
    const u = x - b[k + 1];
    const w = b[k + 2];
    const g = Math.exp(-(u * u) / (w * w));
    f += b[k] * g;
    if (grad) {
      grad[k] = g;
      grad[k + 1] = (b[k] * g * 2 * u) / (w * w);
      grad[k + 2] = (b[k] * g * 2 * u * u) / (w * w * w);
    }
  }
  return f;
}

/**
 * Ratio of polynomials (c0 + c1 x + … + c_{m−1} x^{m−1}) / (1 + d1 x + … + d_k x^k), the numerator
 * coefficients first in b: Kirby2 (m = 3, k = 2), Hahn1 and Thurber (m = 4, k = 3).
 */
function rational(m: number, k: number) {
  return (b: Float64Array, x: number, grad?: Float64Array): number => {
    let num = 0;
    let pw = 1;
    for (let j = 0; j < m; j++) {
      num += b[j] * pw;
      pw *= x;
    }
    let den = 1;
    pw = x;
    for (let j = 0; j < k; j++) {
      den += b[m + j] * pw;
      pw *= x;
    }
    const f = num / den;
    if (grad) {
      pw = 1;
      for (let j = 0; j < m; j++) {
        grad[j] = pw / den;
        pw *= x;
      }
      pw = x;
      for (let j = 0; j < k; j++) {
        grad[m + j] = (-f * pw) / den;
        pw *= x;
      }
    }
    return f;
  };
}

/** y = f(x) models of one predictor, lifted to the column interface. */
function univariate(fn: (b: Float64Array, x: number, grad?: Float64Array) => number): NistModel['evaluate'] {
  return (b, x, i, grad) => fn(b, x[0][i], grad);
}

/** The models, one entry per distinct formula. */
export const NIST_MODELS: readonly NistModel[] = [
  {
    problems: ['Misra1a'],
    p: 2,
    formula: 'y = b1*(1-exp[-b2*x])  +  e',
    response: 'identity',
    evaluate: univariate(expRise),
  },
  {
    problems: ['BoxBOD'],
    p: 2,
    formula: 'y = b1*(1-exp[-b2*x])  +  e',
    response: 'identity',
    evaluate: univariate(expRise),
  },
  {
    problems: ['Chwirut1'],
    p: 3,
    formula: 'y = exp[-b1*x]/(b2+b3*x)  +  e',
    response: 'identity',
    evaluate: univariate(chwirut),
  },
  {
    problems: ['Chwirut2'],
    p: 3,
    formula: 'y = exp(-b1*x)/(b2+b3*x)  +  e',
    response: 'identity',
    evaluate: univariate(chwirut),
  },
  {
    problems: ['Lanczos1', 'Lanczos2', 'Lanczos3'],
    p: 6,
    formula: 'y = b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)  +  e',
    response: 'identity',
    evaluate: univariate(lanczos),
  },
  {
    problems: ['Gauss1', 'Gauss2', 'Gauss3'],
    p: 8,
    formula: 'y = b1*exp( -b2*x ) + b3*exp( -(x-b4)**2 / b5**2 ) + b6*exp( -(x-b7)**2 / b8**2 ) + e',
    response: 'identity',
    evaluate: univariate(gauss),
  },
  {
    problems: ['DanWood'],
    p: 2,
    formula: 'y  = b1*x**b2  +  e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const t = Math.pow(x, b[1]);
      if (grad) {
        grad[0] = t;
        grad[1] = b[0] * t * Math.log(x);
      }
      return b[0] * t;
    }),
  },
  {
    problems: ['Misra1b'],
    p: 2,
    formula: 'y = b1 * (1-(1+b2*x/2)**(-2))  +  e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const u = 1 + (b[1] * x) / 2;
      const t = 1 / (u * u);
      if (grad) {
        grad[0] = 1 - t;
        grad[1] = (b[0] * x * t) / u;
      }
      return b[0] * (1 - t);
    }),
  },
  {
    problems: ['Kirby2'],
    p: 5,
    formula: 'y = (b1 + b2*x + b3*x**2) / (1 + b4*x + b5*x**2)  +  e',
    response: 'identity',
    evaluate: univariate(rational(3, 2)),
  },
  {
    problems: ['Hahn1'],
    p: 7,
    formula: 'y = (b1+b2*x+b3*x**2+b4*x**3) / (1+b5*x+b6*x**2+b7*x**3)  +  e',
    response: 'identity',
    evaluate: univariate(rational(4, 3)),
  },
  {
    problems: ['Thurber'],
    p: 7,
    formula: 'y = (b1 + b2*x + b3*x**2 + b4*x**3) / (1 + b5*x + b6*x**2 + b7*x**3)  +  e',
    response: 'identity',
    evaluate: univariate(rational(4, 3)),
  },
  {
    problems: ['Nelson'],
    p: 3,
    formula: 'log[y] = b1 - b2*x1 * exp[-b3*x2]  +  e',
    response: 'log',
    evaluate: (b, x, i, grad) => {
      const x1 = x[0][i];
      const x2 = x[1][i];
      const e = Math.exp(-b[2] * x2);
      if (grad) {
        grad[0] = 1;
        grad[1] = -x1 * e;
        grad[2] = b[1] * x1 * x2 * e;
      }
      return b[0] - b[1] * x1 * e;
    },
  },
  {
    problems: ['MGH17'],
    p: 5,
    formula: 'y = b1 + b2*exp[-x*b4] + b3*exp[-x*b5]  +  e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const e4 = Math.exp(-x * b[3]);
      const e5 = Math.exp(-x * b[4]);
      if (grad) {
        grad[0] = 1;
        grad[1] = e4;
        grad[2] = e5;
        grad[3] = -b[1] * x * e4;
        grad[4] = -b[2] * x * e5;
      }
      return b[0] + b[1] * e4 + b[2] * e5;
    }),
  },
  {
    problems: ['Misra1c'],
    p: 2,
    formula: 'y = b1 * (1-(1+2*b2*x)**(-.5))  +  e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const u = 1 + 2 * b[1] * x;
      const t = 1 / Math.sqrt(u);
      if (grad) {
        grad[0] = 1 - t;
        grad[1] = (b[0] * x * t) / u;
      }
      return b[0] * (1 - t);
    }),
  },
  {
    problems: ['Misra1d'],
    p: 2,
    formula: 'y = b1*b2*x*((1+b2*x)**(-1))  +  e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const u = 1 + b[1] * x;
      if (grad) {
        grad[0] = (b[1] * x) / u;
        grad[1] = (b[0] * x) / (u * u);
      }
      return (b[0] * b[1] * x) / u;
    }),
  },
  {
    problems: ['Roszman1'],
    p: 4,
    formula: 'pi = 3.141592653589793238462643383279E0 y =  b1 - b2*x - arctan[b3/(x-b4)]/pi  +  e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const d = x - b[3];
      const u = b[2] / d;
      if (grad) {
        const s = 1 / (PI * (1 + u * u));
        grad[0] = 1;
        grad[1] = -x;
        grad[2] = -s / d;
        grad[3] = (-s * u) / d;
      }
      return b[0] - b[1] * x - Math.atan(u) / PI;
    }),
  },
  {
    problems: ['ENSO'],
    p: 9,
    formula: 'y = b1 + b2*cos( 2*pi*x/12 ) + b3*sin( 2*pi*x/12 ) + b5*cos( 2*pi*x/b4 ) + b6*sin( 2*pi*x/b4 ) + b8*cos( 2*pi*x/b7 ) + b9*sin( 2*pi*x/b7 )  + e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const w = 2 * PI * x;
      const c12 = Math.cos(w / 12);
      const s12 = Math.sin(w / 12);
      let f = b[0] + b[1] * c12 + b[2] * s12;
      if (grad) {
        grad[0] = 1;
        grad[1] = c12;
        grad[2] = s12;
      }
      // Two cycles with free periods: (period b4, cos b5, sin b6) and (period b7, cos b8, sin b9).
      for (const k of [3, 6]) {
        const period = b[k];
        const c = Math.cos(w / period);
        const s = Math.sin(w / period);
        f += b[k + 1] * c + b[k + 2] * s;
        if (grad) {
          grad[k] = ((b[k + 1] * s - b[k + 2] * c) * w) / (period * period);
          grad[k + 1] = c;
          grad[k + 2] = s;
        }
      }
      return f;
    }),
  },
  {
    problems: ['MGH09'],
    p: 4,
    formula: 'y = b1*(x**2+x*b2) / (x**2+x*b3+b4)  +  e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const num = x * x + x * b[1];
      const den = x * x + x * b[2] + b[3];
      const f = (b[0] * num) / den;
      if (grad) {
        grad[0] = num / den;
        grad[1] = (b[0] * x) / den;
        grad[2] = (-f * x) / den;
        grad[3] = -f / den;
      }
      return f;
    }),
  },
  {
    problems: ['Rat42'],
    p: 3,
    formula: 'y = b1 / (1+exp[b2-b3*x])  +  e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const e = Math.exp(b[1] - b[2] * x);
      const d = 1 + e;
      const f = b[0] / d;
      if (grad) {
        grad[0] = 1 / d;
        grad[1] = (-f * e) / d;
        grad[2] = (f * e * x) / d;
      }
      return f;
    }),
  },
  {
    problems: ['MGH10'],
    p: 3,
    formula: 'y = b1 * exp[b2/(x+b3)]  +  e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const d = x + b[2];
      const e = Math.exp(b[1] / d);
      const f = b[0] * e;
      if (grad) {
        grad[0] = e;
        grad[1] = f / d;
        grad[2] = (-f * b[1]) / (d * d);
      }
      return f;
    }),
  },
  {
    problems: ['Eckerle4'],
    p: 3,
    formula: 'y = (b1/b2) * exp[-0.5*((x-b3)/b2)**2]  +  e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const z = (x - b[2]) / b[1];
      const e = Math.exp(-0.5 * z * z);
      const f = (b[0] / b[1]) * e;
      if (grad) {
        grad[0] = e / b[1];
        grad[1] = (f * (z * z - 1)) / b[1];
        grad[2] = (f * z) / b[1];
      }
      return f;
    }),
  },
  {
    problems: ['Rat43'],
    p: 4,
    formula: 'y = b1 / ((1+exp[b2-b3*x])**(1/b4))  +  e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const e = Math.exp(b[1] - b[2] * x);
      const d = 1 + e;
      const f = b[0] * Math.pow(d, -1 / b[3]);
      if (grad) {
        grad[0] = f / b[0];
        grad[1] = (-f * e) / (b[3] * d);
        grad[2] = (f * e * x) / (b[3] * d);
        grad[3] = (f * Math.log(d)) / (b[3] * b[3]);
      }
      return f;
    }),
  },
  {
    problems: ['Bennett5'],
    p: 3,
    formula: 'y = b1 * (b2+x)**(-1/b3)  +  e',
    response: 'identity',
    evaluate: univariate((b, x, grad) => {
      const d = b[1] + x;
      const t = Math.pow(d, -1 / b[2]);
      const f = b[0] * t;
      if (grad) {
        grad[0] = t;
        grad[1] = (-f / b[2]) / d;
        grad[2] = (f * Math.log(d)) / (b[2] * b[2]);
      }
      return f;
    }),
  },
];

/** The model of a NIST problem by name (`Misra1a`); undefined when there is none. */
export function nistModel(problem: string): NistModel | undefined {
  return NIST_MODELS.find((m) => m.problems.includes(problem));
}
