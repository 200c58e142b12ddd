// The constant-rate generator's clock. Node's timers have 1 ms resolution, which at 1,000 rps
// would add up to a whole interval of send delay; this worker sleeps in Atomics.wait (a futex
// with sub-millisecond wake-up) until each scheduled send time and then posts the index of the
// last request now due, which wakes the main event loop at once.
import { parentPort, workerData } from 'node:worker_threads';

interface TickerData {
  readonly t0Ms: number;
  readonly intervalMs: number;
  readonly count: number;
  /** Int32Array over a SharedArrayBuffer; [0] != 0 means stop. */
  readonly stop: Int32Array;
}

const { t0Ms, intervalMs, count, stop } = workerData as TickerData;
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

let next = 0;
while (next < count && Atomics.load(stop, 0) === 0) {
  const wait = t0Ms + next * intervalMs - nowMs();
  if (wait > 0) Atomics.wait(stop, 0, 0, wait);
  const due = Math.min(count - 1, Math.floor((nowMs() - t0Ms) / intervalMs));
  if (due >= next) {
    parentPort?.postMessage(due);
    next = due + 1;
  }
}
