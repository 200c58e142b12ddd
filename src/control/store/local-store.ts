// The embedded store backend: resources persisted in a state directory (state-dir.ts), held
// in memory, and watched. Writers (`weft apply`, `weft delete`, or apply() here) take the
// directory's lock, bump the version and write files; every open LocalStore — in this process
// or in the running `weft destination` — notices the version move (fs.watch, with a slow poll
// as a fallback for filesystems without change events), rescans, and emits the differences as
// watch events. So `weft apply` takes effect live without talking to the control plane.
import { watch as fsWatch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import type {
  Kind, ListResult, Resource, ResourceKey, ResourceOf, Watch, WatchEvent, WatchOptions, WritableStore,
} from './types.js';
import { keyOf } from './types.js';
import {
  ensureStateDir, readAllResources, readVersion, removeResource, withLock, writeResource, writeVersion,
} from './state-dir.js';

export interface LocalStoreOptions {
  /** Follow changes other processes make to the directory (default true). */
  readonly follow?: boolean;
  /** Fallback rescan period when following (default 1000 ms). */
  readonly pollMs?: number;
  /** How many past events to keep for watch({resourceVersion}) (default 10000). */
  readonly historySize?: number;
}

interface Watcher {
  readonly kind: Kind;
  readonly namespace: string | undefined;
  readonly onEvent: (e: WatchEvent) => void;
  ready: boolean;
  closed: boolean;
}

type Change = Exclude<WatchEvent, { type: 'SYNCED' }>;

function withVersion(r: Resource, resourceVersion: string): Resource {
  return Object.freeze({ ...r, metadata: Object.freeze({ ...r.metadata, resourceVersion }) }) as Resource;
}

export class LocalStore implements WritableStore {
  private objects = new Map<string, Resource>();
  private version = -1;
  private readonly watchers = new Set<Watcher>();
  private readonly history: { rv: number; event: Change }[] = [];
  private historyStart = 0;
  private rescanning: Promise<void> = Promise.resolve();
  private fsWatcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly opts: LocalStoreOptions,
  ) {}

  /** Opens (creating if needed) the state directory and loads its resources. */
  static async open(dir: string, opts: LocalStoreOptions = {}): Promise<LocalStore> {
    await ensureStateDir(dir);
    const s = new LocalStore(dir, opts);
    await s.rescan();
    s.historyStart = s.version;
    if (opts.follow ?? true) s.follow();
    return s;
  }

  private follow(): void {
    const kick = (): void => {
      if (this.debounce || this.closed) return;
      this.debounce = setTimeout(() => {
        this.debounce = undefined;
        void this.rescan();
      }, 5);
    };
    try {
      // Writers rename `version` into place last: that event means a complete change, so
      // rescan at once; other events (the lock file, temp files) only arm the debounced kick.
      this.fsWatcher = fsWatch(this.dir, (_ev, file) => (file === 'version' ? void this.rescan() : kick()));
      this.fsWatcher.on('error', () => undefined);
    } catch {
      // No change notifications here: the poll below still picks changes up.
    }
    this.poll = setInterval(kick, this.opts.pollMs ?? 1000);
    this.poll.unref();
  }

  /** Re-reads the directory if its version moved and emits the differences. Serialized. */
  rescan(): Promise<void> {
    this.rescanning = this.rescanning.then(() => this.doRescan()).catch(() => undefined);
    return this.rescanning;
  }

  private async doRescan(): Promise<void> {
    if (this.closed) return;
    const v = await readVersion(this.dir);
    if (v === this.version) return;
    const next = new Map<string, Resource>();
    for (const r of await readAllResources(this.dir)) next.set(keyOf(r), r);
    // The files may be newer than the version we read; re-read so deletions get a fresh version.
    const v2 = Math.max(v, await readVersion(this.dir));
    const changes: Change[] = [];
    for (const [k, r] of next) {
      const old = this.objects.get(k);
      if (!old) changes.push({ type: 'ADDED', object: r });
      else if (old.metadata.resourceVersion !== r.metadata.resourceVersion) changes.push({ type: 'MODIFIED', object: r });
    }
    changes.sort((a, b) => Number(a.object.metadata.resourceVersion) - Number(b.object.metadata.resourceVersion));
    for (const [k, old] of this.objects) {
      if (!next.has(k)) changes.push({ type: 'DELETED', object: withVersion(old, String(v2)) });
    }
    this.objects = next;
    this.version = v2;
    for (const c of changes) this.emit(c);
  }

  private emit(e: Change): void {
    this.history.push({ rv: Number(e.object.metadata.resourceVersion), event: e });
    const max = this.opts.historySize ?? 10_000;
    if (this.history.length > max) {
      const dropped = this.history.splice(0, this.history.length - max);
      this.historyStart = dropped[dropped.length - 1]?.rv ?? this.historyStart;
    }
    for (const w of this.watchers) {
      if (w.ready && !w.closed && w.kind === e.object.kind && (!w.namespace || w.namespace === e.object.metadata.namespace)) {
        this.deliver(w, e);
      }
    }
  }

  private deliver(w: Watcher, e: WatchEvent): void {
    try {
      w.onEvent(e);
    } catch {
      // A failing watcher must not stop the others (nor the rescan) from seeing the change.
    }
  }

  get resourceVersion(): string {
    return String(this.version);
  }

  async get<K extends Kind>(kind: K, namespace: string, name: string): Promise<ResourceOf<K> | undefined> {
    return this.objects.get(keyOf({ kind, namespace, name })) as ResourceOf<K> | undefined;
  }

  async list<K extends Kind>(kind: K, namespace?: string): Promise<ListResult<ResourceOf<K>>> {
    const items = [...this.objects.values()].filter(
      (r) => r.kind === kind && (!namespace || r.metadata.namespace === namespace),
    ) as ResourceOf<K>[];
    return { items, resourceVersion: String(this.version) };
  }

  watch<K extends Kind>(kind: K, onEvent: (e: WatchEvent<ResourceOf<K>>) => void, opts: WatchOptions = {}): Watch {
    const w: Watcher = { kind, namespace: opts.namespace, onEvent: onEvent as (e: WatchEvent) => void, ready: false, closed: false };
    this.watchers.add(w);
    // Replay on a microtask so the caller holds the Watch first; rescans emit synchronously, so
    // the state replayed here already includes any change emitted before it.
    queueMicrotask(() => {
      if (w.closed) return;
      const match = (r: Resource): boolean => r.kind === kind && (!w.namespace || r.metadata.namespace === w.namespace);
      const from = opts.resourceVersion === undefined ? undefined : Number(opts.resourceVersion);
      if (from !== undefined && from >= this.historyStart) {
        for (const h of this.history) if (h.rv > from && match(h.event.object)) this.deliver(w, h.event);
      } else {
        // No version, or one older than our history (Kubernetes would answer 410 Gone): replay state.
        for (const r of this.objects.values()) if (match(r)) this.deliver(w, { type: 'ADDED', object: r });
      }
      w.ready = true;
      this.deliver(w, { type: 'SYNCED', resourceVersion: String(this.version) });
    });
    return {
      close: () => {
        w.closed = true;
        this.watchers.delete(w);
      },
    };
  }

  async apply(resources: readonly Resource[]): Promise<readonly Resource[]> {
    return (await this.commit({ apply: resources })).applied;
  }

  async delete(keys: readonly ResourceKey[]): Promise<readonly ResourceKey[]> {
    return (await this.commit({ delete: keys })).deleted;
  }

  /**
   * Deletes and applies in one step, under one lock: readers see the result as one change (a
   * replaced EndpointSlice never shows up as "no endpoints" in between). Deletions go first.
   */
  async commit(ops: { apply?: readonly Resource[]; delete?: readonly ResourceKey[] }): Promise<{ applied: readonly Resource[]; deleted: readonly ResourceKey[] }> {
    const out = await withLock(this.dir, async () => {
      let v = await readVersion(this.dir);
      const deleted: ResourceKey[] = [];
      for (const k of ops.delete ?? []) {
        if (await removeResource(this.dir, k)) deleted.push(k);
      }
      if (deleted.length > 0) v++;
      const applied: Resource[] = [];
      for (const r of ops.apply ?? []) {
        const s = withVersion(r, String(++v));
        await writeResource(this.dir, s);
        applied.push(s);
      }
      if (deleted.length > 0 || applied.length > 0) await writeVersion(this.dir, v);
      return { applied, deleted };
    });
    await this.rescan();
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fsWatcher?.close();
    if (this.poll) clearInterval(this.poll);
    if (this.debounce) clearTimeout(this.debounce);
    this.watchers.clear();
    await this.rescanning;
  }
}
