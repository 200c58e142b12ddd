// Control-plane health as the dashboard shows it: each component is asked something only a
// running process answers (a TLS handshake, an HTTP/2 PING, an HTTP request) — a stopped
// process whose port still accepts connections in the kernel's backlog counts as down — and
// the CA's certificates are read for their expiry.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http2 from 'node:http2';
import { join } from 'node:path';
import tls from 'node:tls';
import type { CertificateInfo, ComponentHealth, Health } from './api-types.js';

export interface HealthTargets {
  /** host:port of identity (gRPC over TLS). */
  readonly identityAddr?: string | undefined;
  /** host:port of destination (gRPC, plaintext h2). */
  readonly destinationAddr?: string | undefined;
  readonly metricsApiAddr?: string | undefined;
  readonly prometheusUrl?: string | undefined;
  /** The CA directory (trust anchor and issuer certificates), when readable. */
  readonly identityDir?: string | undefined;
}

const DAY_MS = 86_400_000;

function split(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(addr.slice(i + 1)) };
}

function certInfo(name: string, c: X509Certificate, now: number): CertificateInfo {
  const notAfter = new Date(c.validTo);
  const notBefore = new Date(c.validFrom);
  const life = Math.max(1, notAfter.getTime() - notBefore.getTime());
  return {
    name, subject: c.subjectAltName ?? c.subject, notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now) / DAY_MS), lifeLeft: Math.max(0, Math.min(1, (notAfter.getTime() - now) / life)),
  };
}

type Probe = { detail: string; cert?: X509Certificate };

async function timed(name: ComponentHealth['name'], address: string | undefined, probe: (() => Promise<Probe>) | undefined): Promise<{ health: ComponentHealth; cert?: X509Certificate }> {
  if (!address || !probe) return { health: { name, state: 'unknown', address: address ?? '', detail: 'not configured in this control plane', ms: null } };
  const t0 = performance.now();
  try {
    const r = await probe();
    return { health: { name, state: 'ok', address, detail: r.detail, ms: Math.round(performance.now() - t0) }, ...(r.cert ? { cert: r.cert } : {}) };
  } catch (err) {
    return { health: { name, state: 'down', address, detail: (err as Error).message, ms: null } };
  }
}

function tlsProbe(addr: string, timeoutMs: number): Promise<Probe> {
  const { host, port } = split(addr);
  return new Promise((resolve, reject) => {
    // Liveness, not trust: the proxies verify identity against the anchor; here we only need
    // the process to complete a handshake, and we read the certificate it serves.
    const s = tls.connect({ host, port, ALPNProtocols: ['h2'], rejectUnauthorized: false, servername: 'identity' });
    const timer = setTimeout(() => s.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      const raw = s.getPeerX509Certificate();
      s.end();
      resolve({ detail: 'TLS handshake completed', ...(raw ? { cert: raw } : {}) });
    });
    s.once('error', (err) => (clearTimeout(timer), reject(err)));
  });
}

function h2PingProbe(addr: string, timeoutMs: number): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${addr}`);
    const timer = setTimeout(() => (session.destroy(), reject(new Error(`no HTTP/2 PING answer within ${timeoutMs} ms`))), timeoutMs);
    session.once('error', (err) => (clearTimeout(timer), reject(err)));
    session.once('connect', () => {
      session.ping((err) => {
        clearTimeout(timer);
        session.close();
        if (err) reject(err);
        else resolve({ detail: 'gRPC server answered an HTTP/2 PING' });
      });
    });
  });
}

async function httpProbe(url: string, timeoutMs: number): Promise<Probe> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error((err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : cause ?? (err as Error).message, { cause: err });
  }
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return { detail: `GET ${new URL(url).pathname}: ${res.status}` };
}

async function caCertificates(dir: string | undefined, now: number): Promise<CertificateInfo[]> {
  if (!dir) return [];
  const out: CertificateInfo[] = [];
  for (const [name, file] of [['trust anchor', 'trust-anchor.crt'], ['issuer', 'issuer.crt']] as const) {
    const pem = await readFile(join(dir, file), 'utf8').catch(() => undefined);
    if (pem) out.push(certInfo(name, new X509Certificate(pem), now));
  }
  return out;
}

export async function checkHealth(t: HealthTargets, timeoutMs = 2000, now = Date.now()): Promise<Health> {
  const [identity, destination, metricsApi, prometheus, ca] = await Promise.all([
    timed('identity', t.identityAddr, t.identityAddr ? () => tlsProbe(t.identityAddr as string, timeoutMs) : undefined),
    timed('destination', t.destinationAddr, t.destinationAddr ? () => h2PingProbe(t.destinationAddr as string, timeoutMs) : undefined),
    timed('metrics-api', t.metricsApiAddr, t.metricsApiAddr ? () => httpProbe(`http://${t.metricsApiAddr}/ready`, timeoutMs) : undefined),
    timed('prometheus', t.prometheusUrl, t.prometheusUrl ? () => httpProbe(`${t.prometheusUrl}/-/ready`, timeoutMs) : undefined),
    caCertificates(t.identityDir, now),
  ]);
  const certificates = [...ca, ...(identity.cert ? [certInfo("identity's serving certificate", identity.cert, now)] : [])];
  return { at: new Date(now).toISOString(), components: [identity.health, destination.health, metricsApi.health, prometheus.health], certificates };
}
