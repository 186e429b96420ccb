/**
 * Random forest regression (Breiman 2001), the predictor ATLAS §4.2 uses to fill the transfer
 * matrix: an average of regression trees, each grown on a bootstrap sample of the rows, each
 * split chosen among a random subset of the features (`mtry`) by the largest drop in squared
 * error (when none of them can split the node, further features are tried, as scikit-learn does). Trees grow until a node has fewer than `minSplit` rows or is pure (the "unlimited
 * depth" of the paper's 300-tree forest is the default). Seeded: equal seeds give equal forests.
 *
 * Cost: about trees × n log n × mtry × depth comparisons; 300 trees on 1,000 rows × 8 features
 * take a few seconds.
 */
import { deriveSeed, Random } from '../fitting/random.ts';

export interface ForestOptions {
  /** @default 300 */
  trees?: number;
  /** Features tried per split. @default max(1, floor(p / 3)) (the regression default of Breiman) */
  mtry?: number;
  /** A node with fewer rows is a leaf. @default 2 */
  minSplit?: number;
  /** @default Infinity */
  maxDepth?: number;
  /** @default 0 */
  seed?: number;
}

/** A tree as flat arrays: node k splits on `feature[k]` at `threshold[k]` (≤ goes left); a leaf has feature −1. */
interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

export interface Forest {
  p: number;
  trees: Tree[];
}

/** Grow a forest on `x` (n rows × p features, row-major) and targets `y`. */
export function fitForest(x: Float64Array, y: Float64Array, p: number, options: ForestOptions = {}): Forest {
  const n = y.length;
  const treesWanted = options.trees ?? 300;
  const mtry = Math.max(1, Math.min(p, options.mtry ?? Math.floor(p / 3)));
  const minSplit = Math.max(2, options.minSplit ?? 2);
  const maxDepth = options.maxDepth ?? Infinity;
  const seed = options.seed ?? 0;
  // Every feature's row order, sorted once for the whole forest.
  const globalOrder = new Int32Array(n * p);
  for (let f = 0; f < p; f++) {
    globalOrder.set(Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a * p + f] - x[b * p + f] || a - b), f * n);
  }
  const trees: Tree[] = [];
  const count = new Int32Array(n);
  for (let t = 0; t < treesWanted; t++) {
    const rng = new Random(deriveSeed(seed, t));
    count.fill(0);
    for (let i = 0; i < n; i++) count[rng.int(n)]++;
    trees.push(growTree(x, y, p, count, globalOrder, mtry, minSplit, maxDepth, rng));
  }
  return { p, trees };
}

function growTree(x: Float64Array, y: Float64Array, p: number, count: Int32Array, globalOrder: Int32Array, mtry: number, minSplit: number, maxDepth: number, rng: Random): Tree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const features = Int32Array.from({ length: p }, (_, j) => j);
  // Work on sample positions 0..n−1 (a bootstrap sample repeats rows). Each feature keeps the
  // positions sorted by its value; a node is the same segment [lo, hi) of every feature's list,
  // and a split partitions every list stably, so nothing is sorted again below the root.
  // Bootstrap sample: row i appears count[i] times, at positions start[i] … start[i] + count[i] − 1.
  const total = count.length;
  const start = new Int32Array(total);
  let n = 0;
  for (let i = 0; i < total; i++) { start[i] = n; n += count[i]; }
  const rows = new Int32Array(n);
  for (let i = 0; i < total; i++) for (let c = 0; c < count[i]; c++) rows[start[i] + c] = i;
  const xv = new Float64Array(n * p);
  const yv = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    yv[a] = y[rows[a]];
    for (let f = 0; f < p; f++) xv[a * p + f] = x[rows[a] * p + f];
  }
  const sorted = new Int32Array(n * p);
  for (let f = 0; f < p; f++) {
    let k = f * n;
    for (let g = f * total; g < (f + 1) * total; g++) {
      const i = globalOrder[g];
      for (let c = 0; c < count[i]; c++) sorted[k++] = start[i] + c;
    }
  }
  const goLeft = new Uint8Array(n);
  const scratch = new Int32Array(n);

  const build = (lo: number, hi: number, depth: number): number => {
    const node = feature.length;
    feature.push(-1); threshold.push(0); left.push(-1); right.push(-1);
    const m = hi - lo;
    let sum = 0;
    let sumSq = 0;
    for (let a = lo; a < hi; a++) {
      const v = yv[sorted[a]];
      sum += v;
      sumSq += v * v;
    }
    value.push(sum / m);
    const sse = sumSq - (sum * sum) / m;
    if (m < minSplit || depth >= maxDepth || sse <= 1e-12 * Math.max(1, sumSq)) return node;

    // Features in random order (Fisher–Yates drawn lazily); like scikit-learn, the search goes
    // past `mtry` features until at least one valid split is found.
    let bestGain = 0;
    let bestFeature = -1;
    let bestThreshold = 0;
    let bestLeft = 0;
    for (let k = 0; k < p; k++) {
      if (k >= mtry && bestFeature >= 0) break;
      const j = k + rng.int(p - k);
      const tmp = features[k]; features[k] = features[j]; features[j] = tmp;
      const f = features[k];
      const list = f * n;
      let leftSum = 0;
      for (let a = lo; a < hi - 1; a++) {
        const pos = sorted[list + a];
        leftSum += yv[pos];
        const here = xv[pos * p + f];
        const next = xv[sorted[list + a + 1] * p + f];
        if (here === next) continue;
        const nl = a + 1 - lo;
        const nr = m - nl;
        const rightSum = sum - leftSum;
        // SSE reduction = Σl²/nl + Σr²/nr − Σ²/m
        const gain = (leftSum * leftSum) / nl + (rightSum * rightSum) / nr - (sum * sum) / m;
        if (gain > bestGain + 1e-15) {
          bestGain = gain;
          bestFeature = f;
          const mid = (here + next) / 2;
          bestThreshold = mid < next ? mid : here; // the midpoint of adjacent doubles can round up to `next`
          bestLeft = nl;
        }
      }
    }
    if (bestFeature < 0) return node;
    for (let a = lo; a < hi; a++) {
      const pos = sorted[a];
      goLeft[pos] = xv[pos * p + bestFeature] <= bestThreshold ? 1 : 0;
    }
    for (let f = 0; f < p; f++) {
      const list = f * n;
      let l = lo;
      let r = 0;
      for (let a = lo; a < hi; a++) {
        const pos = sorted[list + a];
        if (goLeft[pos]) sorted[list + l++] = pos;
        else scratch[r++] = pos;
      }
      sorted.set(scratch.subarray(0, r), list + l);
    }
    feature[node] = bestFeature;
    threshold[node] = bestThreshold;
    const mid = lo + bestLeft;
    const l = build(lo, mid, depth + 1);
    const r = build(mid, hi, depth + 1);
    left[node] = l;
    right[node] = r;
    return node;
  };
  build(0, n, 0);
  return {
    feature: Int32Array.from(feature), threshold: Float64Array.from(threshold), left: Int32Array.from(left), right: Int32Array.from(right),
    value: Float64Array.from(value),
  };
}

/** Forest prediction (mean over trees) for each row of `x` (rows × p). */
export function predictForest(forest: Forest, x: Float64Array): Float64Array {
  const p = forest.p;
  const n = x.length / p;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const tree of forest.trees) {
      let node = 0;
      while (tree.feature[node] >= 0) node = x[i * p + tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
      sum += tree.value[node];
    }
    out[i] = sum / forest.trees.length;
  }
  return out;
}
