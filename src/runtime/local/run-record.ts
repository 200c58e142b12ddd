// The supervisor's copy of run.json: changed in memory and written behind it — serialized and
// coalesced, so a burst of changes (ten pods becoming ready) is one atomic write, and readers
// (`weft ps`, `viz`, `down`) never see half a file. Closed once `down` has removed the file,
// so a late change cannot bring it back.
import type { RunState } from './run-state.js';
import { writeRunState } from './run-state.js';

export class RunRecord {
  private current: RunState;
  private writing: Promise<void> = Promise.resolve();
  private pending = false;
  private closed = false;

  constructor(private readonly root: string, initial: RunState) {
    this.current = initial;
  }

  get state(): RunState {
    return this.current;
  }

  update(fn: (s: RunState) => RunState): void {
    this.current = fn(this.current);
    if (this.pending || this.closed) return;
    this.pending = true;
    this.writing = this.writing.then(async () => {
      this.pending = false;
      if (!this.closed) await writeRunState(this.root, this.current);
    }).catch(() => undefined);
  }

  /** Resolves once everything changed so far is on disk. */
  flush(): Promise<void> {
    return this.writing;
  }

  /** No more writes (run.json is being removed). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
