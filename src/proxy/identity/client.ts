// The proxy's identity: generate a key in memory, Certify it with the identity service, hold
// the certificate and renew it at ~70% of its lifetime (with exponential backoff on failure).
// Each certificate gets one tls.SecureContext, built once and handed to every new meshed
// connection; connections already open keep the context they were made with.
//
// For the integrator:
//   const id = new IdentityClient({...}); id.start(); await id.ready;
//   id.secureContext()                  -> current context (MeshTlsAcceptor / connectMeshed)
//   id.on('rotated', (snap) => ...)      -> after each new certificate
//   id.identitySnapshot()               -> {identity, notAfter, serialNumber, pem} for /identity.json
//   id.certExpirationTimestampSeconds   -> gauge identity_cert_expiration_timestamp_seconds
//   id.certRefreshCount                 -> counter identity_cert_refresh_count
import { EventEmitter } from 'node:events';
import { X509Certificate } from 'node:crypto';
import type { SecureContext } from 'node:tls';
import type { Logger } from '../../lib/log.js';
import { certify } from './certify-call.js';
import type { CertifyResponse } from './certify-codec.js';
import type { WorkloadId } from '../../lib/spiffe.js';
import { formatDnsName, formatSpiffe } from '../../lib/spiffe.js';
import type { TlsIdentity } from '../tls/context.js';
import { createMeshSecureContext } from '../tls/context.js';
import { keyExchange } from '../tls/key-exchange.js';
import { spiffeFromSubjectAltName } from '../tls/peer-identity.js';
import type { ProxyKey } from './csr.js';
import { buildCsr, generateProxyKey } from './csr.js';
import { CertifyFailedError, IdentityNotReadyError } from './errors.js';
import type { BackoffOptions } from './schedule.js';
import { DEFAULT_BACKOFF, DEFAULT_CLOCK_SKEW_MS, backoffDelay, refreshDelay } from './schedule.js';

export interface IdentityClientOptions {
  /** Who this proxy is. */
  readonly identity: WorkloadId;
  /** The proof sent with each Certify (read anew each time: tokens may be rotated on disk). */
  readonly token: () => Buffer | Promise<Buffer>;
  readonly trustAnchorsPem: string;
  /** host:port of the identity service. */
  readonly address: string;
  /** TLS name of the identity service; default its DNS-style identity in our trust domain. */
  readonly serverName?: string;
  readonly certifyTimeoutMs?: number;
  readonly clockSkewMs?: number;
  readonly backoff?: BackoffOptions;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly log?: Logger;
}

export interface IdentitySnapshot {
  /** SPIFFE URI. */
  readonly identity: string;
  /** ISO 8601. */
  readonly notAfter: string;
  readonly serialNumber: string;
  /** Leaf followed by intermediates. */
  readonly pem: string;
}

interface Current {
  readonly snapshot: IdentitySnapshot;
  readonly notAfterMs: number;
  readonly context: SecureContext;
}

export interface IdentityClientEvents {
  rotated: [IdentitySnapshot];
  error: [Error];
}

export class IdentityClient extends EventEmitter<IdentityClientEvents> implements TlsIdentity {
  /** Resolves once the first certificate is held. Never rejects (failures are retried). */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private current: Current | undefined;
  private key: ProxyKey | undefined;
  /** The identity service's TLS name: given, or its DNS-style identity in our trust domain. */
  private readonly serverName: string;
  /** Cancels a Certify in flight when the client closes. */
  private readonly closing = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private failuresTotal = 0;
  private refreshes = 0;
  private closed = false;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly opts: IdentityClientOptions) {
    super();
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.serverName = opts.serverName ?? formatDnsName({ trustDomain: opts.identity.trustDomain, namespace: 'weft', serviceAccount: 'identity' });
  }

  /** Generates the key and starts certifying (in the background). */
  start(): void {
    const kx = keyExchange();
    this.opts.log?.info('mesh TLS key exchange', { group: kx.preferredGroup, postQuantum: kx.postQuantum });
    this.schedule(0);
  }

  /** A certificate that is still valid: an expired one (identity service down too long) is not ready. */
  isReady(): boolean {
    return this.current !== undefined && this.current.notAfterMs > this.now();
  }

  /** The context for new meshed connections. Throws IdentityNotReadyError before `ready`. */
  secureContext(): SecureContext {
    if (!this.current) throw new IdentityNotReadyError();
    return this.current.context;
  }

  identitySnapshot(): IdentitySnapshot | undefined {
    return this.current?.snapshot;
  }

  /** identity_cert_expiration_timestamp_seconds (0 until the first certificate). */
  get certExpirationTimestampSeconds(): number {
    return this.current ? Math.floor(this.current.notAfterMs / 1000) : 0;
  }

  /** identity_cert_refresh_failure_count: failed attempts to obtain one since start. */
  get certRefreshFailures(): number {
    return this.failuresTotal;
  }

  /** identity_cert_refresh_count: certificates obtained since start. */
  get certRefreshCount(): number {
    return this.refreshes;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.closing.abort();
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), Math.min(delayMs, 2 ** 31 - 1));
    this.timer.unref();
  }

  private async refresh(): Promise<void> {
    try {
      const next = await this.certify();
      if (this.closed) return;
      this.current = next;
      this.refreshes++;
      this.failures = 0;
      const delay = refreshDelay(next.notAfterMs, this.now(), this.opts.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS);
      this.opts.log?.info('certified', {
        identity: next.snapshot.identity,
        notAfter: next.snapshot.notAfter,
        renewInSeconds: Math.round(delay / 1000),
      });
      this.schedule(delay);
      this.markReady();
      this.emit('rotated', next.snapshot);
    } catch (err) {
      if (this.closed) return;
      this.failuresTotal++;
      const delay = backoffDelay(this.failures++, this.opts.backoff ?? DEFAULT_BACKOFF, this.random);
      this.opts.log?.warn('certify failed; retrying', { error: err as Error, retryInMs: delay, attempt: this.failures });
      if (this.listenerCount('error') > 0) this.emit('error', err as Error);
      this.schedule(delay);
    }
  }

  private async certify(): Promise<Current> {
    this.key ??= await generateProxyKey();
    const key = this.key;
    const csr = await buildCsr(key, this.opts.identity);
    const token = await this.opts.token();
    const res = await certify(
      {
        address: this.opts.address,
        serverName: this.serverName,
        trustAnchorsPem: this.opts.trustAnchorsPem,
        timeoutMs: this.opts.certifyTimeoutMs ?? 10_000,
        signal: this.closing.signal,
      },
      { identity: formatDnsName(this.opts.identity), token, certificateSigningRequest: csr },
    );
    return this.accept(res, key);
  }

  /** Checks the answer fits what we asked for before using it. */
  private accept(res: CertifyResponse, key: ProxyKey): Current {
    let leaf: X509Certificate;
    let chain: X509Certificate[];
    try {
      leaf = new X509Certificate(res.leafCertificate);
      chain = res.intermediateCertificates.map((d) => new X509Certificate(d));
    } catch (err) {
      throw new CertifyFailedError('Certify returned an unparsable certificate', { cause: err });
    }
    const spki = leaf.publicKey.export({ type: 'spki', format: 'der' });
    if (!spki.equals(key.spkiDer)) throw new CertifyFailedError('Certify returned a certificate for another key');
    const want = formatSpiffe(this.opts.identity);
    const got = spiffeFromSubjectAltName(leaf.subjectAltName);
    if (got !== want) throw new CertifyFailedError(`Certify returned a certificate for ${got ?? '(none)'}, not ${want}`);
    const first = chain[0];
    if (!first || !leaf.checkIssued(first) || !leaf.verify(first.publicKey)) {
      throw new CertifyFailedError('Certify returned a leaf not signed by the first intermediate');
    }
    const pem = [leaf, ...chain].map((c) => c.toString()).join('');
    const notAfterMs = new Date(leaf.validTo).getTime();
    return {
      notAfterMs,
      snapshot: Object.freeze({
        identity: want,
        notAfter: new Date(notAfterMs).toISOString(),
        serialNumber: leaf.serialNumber,
        pem,
      }),
      context: createMeshSecureContext({ keyPem: key.keyPem, certChainPem: pem, trustAnchorsPem: this.opts.trustAnchorsPem }),
    };
  }
}
