/**
 * Writes the log-format fixtures of test/fixtures/ingest/formats/: one set of training curves in
 * every format atlas reads, so that each format must give the same table and the same fit.
 *
 *   npx tsx scripts/ingest-fixtures.ts
 *
 * The curves: five model sizes (70M … 2.8B parameters), 524,288 tokens a step (batch 256 ×
 * sequence 2,048), the loss logged every 500 steps up to step 10,000, from the Chinchilla law
 * with Epoch AI's refit of Hoffmann et al. (Besiroglu et al. 2024, arXiv:2404.10102, Table 1:
 * E = 1.8172, A = 482.01, B = 2085.43, α = 0.3478, β = 0.3658) times log-normal noise
 * (σ = 0.5 %, seeded), rounded to 4 decimals. Formats:
 *   wandb.csv        W&B history export of the runs concatenated (`name`, `_step`, `train/loss`,
 *                    `train/tokens`, `num_params`; eval-only steps in between log NaN train loss)
 *   wandb_chart.csv  W&B chart export of the train loss (Step, `RUN - train/loss`, __MIN, __MAX)
 *   runs.tsv         tab-separated, sizes and token counts with suffixes (70M, 262.144M)
 *   runs.jsonl       JSON lines; runs.jsonl.gz the same gzipped
 *   trainer_state/<run>/trainer_state.json   Hugging Face Trainer state, one file per run
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { mulberry32 } from '../pipeline/fitting/random.ts';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'ingest', 'formats');
const law = { E: 1.8172, A: 482.01, B: 2085.43, alpha: 0.3478, beta: 0.3658 };
const sizes: [string, number][] = [['pythia-70m', 70e6], ['pythia-160m', 160e6], ['pythia-410m', 410e6], ['pythia-1b', 1e9], ['pythia-2.8b', 2.8e9]];
const tokensPerStep = 524_288;
const steps = Array.from({ length: 20 }, (_, i) => (i + 1) * 500);

const random = mulberry32(20240417);
const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

interface Point { run: string; params: number; step: number; tokens: number; loss: number }
const points: Point[] = [];
for (const [run, params] of sizes) {
  for (const step of steps) {
    const tokens = step * tokensPerStep;
    const loss = (law.E + law.A / params ** law.alpha + law.B / tokens ** law.beta) * Math.exp(0.005 * gaussian());
    points.push({ run, params, step, tokens, loss: Number(loss.toFixed(4)) });
  }
}

/** An integer count with the largest exact suffix (70000000 → 70M, 262144000 → 262.144M). */
function suffixed(n: number): string {
  for (const [suffix, scale] of [['B', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (n >= scale) {
      const whole = Math.floor(n / scale);
      const rest = String(n - whole * scale).padStart(String(scale).length - 1, '0').replace(/0+$/, '');
      return `${whole}${rest === '' ? '' : `.${rest}`}${suffix}`;
    }
  }
  return String(n);
}

function write(name: string, text: string | Buffer): void {
  const path = join(out, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

// W&B history: a row every 250 steps; the odd ones are eval-only steps with NaN train loss.
const t0 = 1_717_000_000;
let wandb = 'name,_step,_runtime,_timestamp,train/loss,train/tokens,num_params,eval/loss\n';
for (const [run, params] of sizes) {
  for (const p of points.filter((q) => q.run === run)) {
    const evalStep = p.step - 250;
    wandb += `${run},${evalStep},${(evalStep * 0.9).toFixed(1)},${t0 + evalStep},NaN,${evalStep * tokensPerStep},${params},${(p.loss + 0.02).toFixed(4)}\n`;
    wandb += `${run},${p.step},${(p.step * 0.9).toFixed(1)},${t0 + p.step},${p.loss},${p.tokens},${params},NaN\n`;
  }
}
write('wandb.csv', wandb);

// W&B chart export: one column group per run; a run that did not log a step leaves it empty.
let chart = `Step,${sizes.map(([run]) => `${run} - train/loss,${run} - train/loss__MIN,${run} - train/loss__MAX`).join(',')}\n`;
for (const step of steps) {
  chart += `${step},${sizes.map(([run]) => {
    const p = points.find((q) => q.run === run && q.step === step)!;
    return `${p.loss},${p.loss},${p.loss}`;
  }).join(',')}\n`;
}
write('wandb_chart.csv', chart);

write('runs.tsv', `Name\tparams\ttokens\tstep\tloss\n${points.map((p) => `${p.run}\t${suffixed(p.params)}\t${suffixed(p.tokens)}\t${p.step}\t${p.loss}`).join('\n')}\n`);

const jsonl = points.map((p) => JSON.stringify({ run_id: p.run, params: p.params, tokens: p.tokens, step: p.step, loss: p.loss })).join('\n') + '\n';
write('runs.jsonl', jsonl);
write('runs.jsonl.gz', gzipSync(jsonl, { level: 9, mtime: 0 } as never));

for (const [run, params] of sizes) {
  const mine = points.filter((p) => p.run === run);
  const log: Record<string, number>[] = [];
  for (const p of mine) {
    log.push({ epoch: Number((p.step / 10_000).toFixed(4)), grad_norm: 0.5, learning_rate: 3e-4 * (1 - p.step / 10_500), loss: p.loss, num_input_tokens_seen: p.tokens, step: p.step });
    if (p.step % 2000 === 0) log.push({ epoch: Number((p.step / 10_000).toFixed(4)), eval_loss: Number((p.loss + 0.02).toFixed(4)), eval_runtime: 12.5, eval_samples_per_second: 80, eval_steps_per_second: 2.5, step: p.step });
  }
  const last = mine[mine.length - 1];
  const totalFlos = 6 * params * last.tokens;
  log.push({ epoch: 1, step: last.step, total_flos: totalFlos, train_loss: 2.9, train_runtime: 9000, train_samples_per_second: 290, train_steps_per_second: 1.1 });
  const state = {
    best_metric: null, best_model_checkpoint: null, epoch: 1, eval_steps: 2000, global_step: last.step,
    is_hyper_param_search: false, is_local_process_zero: true, is_world_process_zero: true, log_history: log,
    logging_steps: 500, max_steps: last.step, num_input_tokens_seen: last.tokens, num_train_epochs: 1, save_steps: 10_000,
    total_flos: totalFlos, train_batch_size: 256, trial_name: null, trial_params: null,
  };
  write(join('trainer_state', run, 'trainer_state.json'), `${JSON.stringify(state, null, 2)}\n`);
}
process.stdout.write(`wrote ${points.length} points in each format under ${out}\n`);
