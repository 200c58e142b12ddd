// One kind's informer (client-node's ListWatch: list, then watch from the list's version; a
// watch the server ends is resumed from the last version seen; a 410 Gone relists and reports
// what vanished as deletions), made to survive what ListWatch gives up on: after any error
// (API server restarted, connection refused, 403 while RBAC is being applied) it stops, so we
// start it again with capped exponential backoff. A kind whose CRD is not installed (404) counts
// as synced and empty, and is retried slowly, so the destination service does not wait forever
// for Linkerd's CRD on a cluster without it. Watches are bounded in time (BoundedWatch below).
import { ListWatch, Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../../lib/log.js';
import { isNotFound, kubeError } from '../../../lib/kube.js';

export type ListFn<T extends KubernetesObject> = () => Promise<KubernetesListObject<T>>;

/** Server-side end of each watch: 5–10 min (as client-go picks), then it is resumed from its version. */
const WATCH_TIMEOUT_S = 300;
/** A watch that has said nothing (not even a bookmark, sent about once a minute) for this long is presumed dead. */
const WATCH_IDLE_MS = 5 * 60_000;

/**
 * client-node's Watch, bounded as client-go's reflector is: every watch asks for bookmarks and
 * a server-side timeout, and is aborted when silent for too long — a connection that died
 * without a FIN (a load balancer, a NAT) would otherwise keep an informer stale forever.
 */
class BoundedWatch extends Watch {
  constructor(kc: KubeConfig, private readonly idleMs: number) {
    super(kc);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const w: { controller?: AbortController; timer?: NodeJS.Timeout; ended: boolean } = { ended: false };
    const arm = (): void => {
      clearTimeout(w.timer);
      if (w.ended) return;
      w.timer = setTimeout(() => w.controller?.abort(), this.idleMs);
      w.timer.unref();
    };
    const params = { ...queryParams, allowWatchBookmarks: true, timeoutSeconds: WATCH_TIMEOUT_S + Math.floor(Math.random() * WATCH_TIMEOUT_S) };
    w.controller = await super.watch(path, params, (phase, obj, watchObj) => {
      arm();
      callback(phase, obj, watchObj);
    }, (err) => {
      w.ended = true;
      clearTimeout(w.timer);
      done(err);
    });
    arm();
    return w.controller;
  }
}

export interface InformerHandlers<T extends KubernetesObject> {
  readonly add: (o: T) => void;
  readonly update: (o: T) => void;
  readonly delete: (o: T) => void;
}

export interface InformerOptions {
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Retry period while the kind does not exist (its CRD is not installed). */
  readonly absentRetryMs?: number;
  /** A watch silent (no event, no bookmark) this long is presumed dead and reopened (default 5 min). */
  readonly watchIdleMs?: number;
}

export class ResilientInformer<T extends KubernetesObject> {
  private readonly lw: ListWatch<T>;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private failedSinceStart = false;
  private markSynced!: () => void;
  /** Resolves once the first list has been delivered (or the kind turned out not to exist). */
  readonly synced: Promise<void>;
  private isSynced = false;
  /** The last list found the kind not served (404): the next list is a retry, not a 410 relist. */
  private absent = false;
  /** Restarts after errors, for tests and metrics. */
  restarts = 0;
  /** Lists made: the first, then one per 410 Gone (a watch version the server no longer has). */
  lists = 0;

  constructor(
    private readonly kc: KubeConfig,
    readonly path: string,
    list: ListFn<T>,
    handlers: InformerHandlers<T>,
    private readonly log: Logger | undefined,
    private readonly opts: InformerOptions = {},
  ) {
    this.backoffMs = opts.initialBackoffMs ?? 200;
    this.synced = new Promise((r) => (this.markSynced = r));
    // ListWatch lists only at start and when the server answers a watch with 410 Gone; our own
    // retries of a kind that is not served (its CRD absent, every 10 s) list too, and are
    // neither counted nor logged as a 410 (they were, at info, on every cluster without the
    // Gateway API CRDs).
    const counted: ListFn<T> = async () => {
      if (!this.absent && ++this.lists > 1) this.log?.info('watch version expired (410 Gone): listing again', { path: this.path });
      const result = await list();
      this.absent = false;
      return result;
    };
    this.lw = new ListWatch<T>(path, new BoundedWatch(kc, opts.watchIdleMs ?? WATCH_IDLE_MS), counted, false);
    this.lw.on('add', handlers.add);
    this.lw.on('update', handlers.update);
    this.lw.on('delete', handlers.delete);
    this.lw.on('error', (err: unknown) => this.onError(err));
  }

  get resourceVersion(): string {
    return this.lw.latestResourceVersion();
  }

  list(): readonly T[] {
    return this.lw.list();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.lw.get(name, namespace);
  }

  start(): void {
    if (this.closed) return;
    this.failedSinceStart = false;
    this.lw.start().then(
      () => {
        // start() resolves after the list was delivered and the watch opened, or after an error
        // it reported through onError (then we are already scheduled to retry).
        if (this.failedSinceStart || this.closed) return;
        this.backoffMs = this.opts.initialBackoffMs ?? 200;
        this.setSynced();
      },
      (err: unknown) => this.onError(err),
    );
  }

  private setSynced(): void {
    if (this.isSynced) return;
    this.isSynced = true;
    this.markSynced();
  }

  private onError(err: unknown): void {
    if (this.closed) return;
    this.failedSinceStart = true;
    if (this.timer) return;
    let delay: number;
    if (isNotFound(err) && this.list().length === 0) {
      // The kind is not served (CRD absent): nothing to wait for.
      if (!this.absent) this.log?.debug('kind not served; retrying later', { path: this.path });
      this.absent = true;
      this.setSynced();
      delay = this.opts.absentRetryMs ?? 10_000;
    } else {
      const e = kubeError(err, `watch ${this.path}`, this.kc);
      this.log?.warn('watch failed; restarting', { path: this.path, error: e.message, inMs: this.backoffMs });
      delay = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 5000);
    }
    this.restarts++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, delay);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.lw.stop();
  }
}
