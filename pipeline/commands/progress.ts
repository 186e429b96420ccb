/**
 * Progress on stderr for long commands: a bar (cli-progress) when stderr is a terminal, plain
 * lines otherwise (logs, CI, pipes). Stages report progress through callbacks; only commands
 * write it.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /**
   * `done` of `total` steps of the task `label` (a new label ends the previous bar). Without a
   * terminal a line is written every 10 % of the way (`every: true`: at every step, with `detail`).
   */
  update(label: string, done: number, total: number, detail?: string): void;
  /** End the current bar (call before printing results). */
  stop(): void;
}

export function progress(stream: NodeJS.WriteStream = process.stderr, options: { every?: boolean } = {}): Progress {
  const tty = Boolean(stream.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  let current = '';
  let lastTenth = -1;
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  return {
    update(label, done, total, detail = '') {
      if (total <= 0) return;
      if (label !== current) {
        stop();
        current = label;
        lastTenth = -1;
        if (tty) {
          bar = new cliProgress.SingleBar(
            { stream, format: `${label} {bar} {value}/{total} | ETA {eta_formatted} {detail}`, etaBuffer: 20, hideCursor: true, clearOnComplete: false },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, 0, { detail: '' });
        }
      }
      if (bar) {
        bar.update(done, { detail });
        return;
      }
      const tenth = Math.floor((10 * done) / total);
      if (options.every || tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${label}: ${done}/${total}${detail ? ` ${detail}` : ''}\n`);
      }
    },
    stop,
  };
}
