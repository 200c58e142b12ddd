// Runs `tick` every `intervalMs` until `signal` aborts — the loop behind `weft demo`'s stats
// table. Each wait takes its abort listener off when it ends: the loop it replaces added one per
// interval and never removed it (Node 20 warned at the eleventh, MaxListenersExceededWarning).
import { setTimeout as sleep } from 'node:timers/promises';

export async function everyUntilAborted(intervalMs: number, signal: AbortSignal, tick: () => Promise<void>): Promise<void> {
  while (!signal.aborted) {
    // An abort rejects the wait (AbortError): the loop ends without another tick.
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return;
    await tick();
  }
}
