// Keeps a valid issuer (intermediate) at hand and rotates it before it expires. Rotation needs
// the trust anchor's key; leaves already issued stay valid because proxies present their own
// chain (leaf + the issuer that signed it) and peers only need the anchor.
//
// When: at half of the issuer's lifetime. Leaves are capped at the issuer's notAfter, so a
// fresh issuer always has at least half its lifetime left to give.
import type { Logger } from '../../lib/log.js';
import type { SigningCert } from './pki.js';
import { DEFAULT_ISSUER_LIFETIME_MS, createIssuer } from './pki.js';
import { CaDirectoryError } from './errors.js';

export const ISSUER_ROTATE_FRACTION = 0.5;

export interface IssuerOptions {
  readonly trustDomain: string;
  readonly anchor: SigningCert | undefined;
  readonly initial: SigningCert | undefined;
  readonly lifetimeMs?: number;
  readonly now?: () => number;
  /** Called with each new issuer (persist it); awaited before the issuer is used. */
  readonly persist?: (issuer: SigningCert) => Promise<void>;
  readonly log?: Logger;
}

export type IssuerListener = (issuer: SigningCert) => void;

export class IssuerManager {
  private issuer: SigningCert | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly listeners = new Set<IssuerListener>();
  private readonly now: () => number;
  private rotationCount = 0;

  constructor(private readonly opts: IssuerOptions) {
    this.now = opts.now ?? Date.now;
    this.issuer = opts.initial;
  }

  /** Makes sure a usable issuer exists (creating one if needed) and schedules rotation. */
  async start(): Promise<void> {
    if (!this.issuer || this.now() >= this.rotateAt(this.issuer)) {
      if (this.opts.anchor) await this.rotate();
      else if (!this.issuer || this.now() >= this.issuer.cert.notAfter.getTime()) {
        throw new CaDirectoryError('the issuer has expired and the trust anchor key is not available to make a new one');
      }
    }
    this.schedule();
  }

  current(): SigningCert {
    if (!this.issuer) throw new CaDirectoryError('no issuer (start() not called)');
    return this.issuer;
  }

  get rotations(): number {
    return this.rotationCount;
  }

  onRotate(fn: IssuerListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Creates and installs a new issuer now. */
  async rotate(): Promise<SigningCert> {
    const anchor = this.opts.anchor;
    if (!anchor) throw new CaDirectoryError('cannot rotate the issuer without the trust anchor key');
    const next = await createIssuer({
      anchor,
      trustDomain: this.opts.trustDomain,
      now: this.now(),
      lifetimeMs: this.opts.lifetimeMs ?? DEFAULT_ISSUER_LIFETIME_MS,
    });
    await this.opts.persist?.(next);
    this.issuer = next;
    this.rotationCount++;
    this.opts.log?.info('issuer rotated', { serial: next.cert.serialNumber, notAfter: next.cert.notAfter.toISOString() });
    for (const fn of this.listeners) fn(next);
    return next;
  }

  /**
   * Installs an issuer made elsewhere (Kubernetes: cert-manager or `weft upgrade` rewrote the
   * issuer Secret). Leaves signed from now on chain to it; the serving certificate follows.
   */
  replace(next: SigningCert): void {
    this.issuer = next;
    this.rotationCount++;
    this.opts.log?.info('issuer replaced', { serial: next.cert.serialNumber, notAfter: next.cert.notAfter.toISOString() });
    for (const fn of this.listeners) fn(next);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private rotateAt(issuer: SigningCert): number {
    const nb = issuer.cert.notBefore.getTime();
    return nb + (issuer.cert.notAfter.getTime() - nb) * ISSUER_ROTATE_FRACTION;
  }

  private schedule(): void {
    if (this.closed || !this.issuer) return;
    if (!this.opts.anchor) {
      this.opts.log?.warn('issuer will not be rotated (no trust anchor key); replace it before it expires', {
        notAfter: this.issuer.cert.notAfter.toISOString(),
      });
      return;
    }
    // setTimeout holds at most ~24.8 days; re-check then.
    // At least 100 ms apart, so a misconfigured (tiny) lifetime cannot spin.
    const delay = Math.min(Math.max(100, this.rotateAt(this.issuer) - this.now()), 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      this.rotate().then(
        () => this.schedule(),
        (err: unknown) => {
          this.opts.log?.error('issuer rotation failed; retrying in 1s', { error: err as Error });
          this.timer = setTimeout(() => this.schedule(), 1000);
          this.timer.unref();
        },
      );
    }, delay);
    this.timer.unref();
  }
}
