import type pg from 'pg';
import type { Step } from '../plan/types.js';
import type { ApplyReporter, IndexBuildProgress } from './types.js';

/**
 * Progress output. On a terminal one status line is redrawn (step n of m, and for index builds the phase and
 * blocks done); elsewhere (CI logs, pipes) one plain line per step, nothing redrawn.
 */

type Out = NodeJS.WritableStream & { isTTY?: boolean };

function label(step: Step): string {
  return `${step.change} ${step.target.name}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function createReporter(out: Out): ApplyReporter {
  return out.isTTY ? ttyReporter(out) : lineReporter(out);
}

export function lineReporter(out: Out): ApplyReporter {
  return {
    wantsIndexProgress: false,
    info: (message) => out.write(`${message}\n`),
    stepStarted: (step, index, total) => out.write(`[${index}/${total}] ${label(step)}\n`),
    stepFinished: () => {},
    stepSkipped: (step, index, total, why) =>
      out.write(`[${index}/${total}] ${label(step)}: skipped, ${why}\n`),
    stepRetry: (step, attempt, delayMs, reason) =>
      out.write(`  step ${step.n}: ${reason}; retry ${attempt} in ${seconds(delayMs)}\n`),
    indexProgress: () => {},
  };
}

export function ttyReporter(out: Out): ApplyReporter {
  let current = '';
  const draw = (text: string) => out.write(`\r\x1b[K${text}`);
  return {
    wantsIndexProgress: true,
    info: (message) => {
      draw(`${message}\n`);
      if (current) draw(current);
    },
    stepStarted: (step, index, total) => {
      current = `step ${index} of ${total}: ${label(step)}`;
      draw(current);
    },
    stepFinished: (step, index, total, durationMs) => {
      current = '';
      draw(`step ${index} of ${total}: ${label(step)} (${seconds(durationMs)})\n`);
    },
    stepSkipped: (step, index, total, why) =>
      draw(`step ${index} of ${total}: ${label(step)}: skipped, ${why}\n`),
    stepRetry: (step, attempt, delayMs, reason) =>
      draw(`step ${step.n}: ${reason}; retry ${attempt} in ${seconds(delayMs)}\n`),
    indexProgress: (_step, p) => {
      const pct = p.blocksTotal > 0 ? ` (${Math.floor((100 * p.blocksDone) / p.blocksTotal)}%)` : '';
      const blocks = p.blocksTotal > 0 ? `, blocks ${p.blocksDone} of ${p.blocksTotal}${pct}` : '';
      draw(`${current}: ${p.phase}${blocks}`);
    },
  };
}

export const silentReporter: ApplyReporter = {
  wantsIndexProgress: false,
  info: () => {},
  stepStarted: () => {},
  stepFinished: () => {},
  stepSkipped: () => {},
  stepRetry: () => {},
  indexProgress: () => {},
};

/**
 * Polls pg_stat_progress_create_index for the backend running a build, on a connection of its own (the
 * building one is busy), until stopped.
 */
export function pollIndexProgress(
  monitor: pg.Client,
  pid: number,
  step: Step,
  reporter: ApplyReporter,
  intervalMs = 500,
): () => Promise<void> {
  let stopped = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  const tick = () => {
    inFlight = monitor
      .query<{ phase: string; bd: string; bt: string; td: string; tt: string }>(
        `select phase, blocks_done as bd, blocks_total as bt, tuples_done as td, tuples_total as tt
           from pg_stat_progress_create_index where pid = $1`,
        [pid],
      )
      .then(({ rows }) => {
        const r = rows[0];
        if (!r || stopped) return;
        const progress: IndexBuildProgress = {
          phase: r.phase,
          blocksDone: Number(r.bd),
          blocksTotal: Number(r.bt),
          tuplesDone: Number(r.td),
          tuplesTotal: Number(r.tt),
        };
        reporter.indexProgress(step, progress);
      })
      .catch(() => {});
  };
  const timer = setInterval(tick, intervalMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await inFlight;
  };
}
