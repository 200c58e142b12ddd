// Configuration of the demo components, from environment variables only, parsed once at start
// into frozen objects. The services know nothing about the mesh: addresses are plain
// host:port names, and the only proxy they know of is the standard HTTP_PROXY convention (the
// local runtime's fallback when it cannot intercept traffic transparently).
import { ConfigError } from '../../src/lib/errors.js';
import { parseAddress, parseAuthority } from '../../src/lib/address.js';
import type { Address } from '../../src/lib/address.js';
import { isLogLevel } from '../../src/lib/log.js';
import type { LogLevel } from '../../src/lib/log.js';

export const ENV = Object.freeze({
  listen: 'LISTEN_ADDR',
  catalog: 'CATALOG_ADDR',
  voting: 'VOTING_ADDR',
  web: 'WEB_ADDR',
  failItem: 'FAIL_ITEM',
  failRate: 'FAIL_RATE',
  timeout: 'UPSTREAM_TIMEOUT_MS',
  rate: 'RATE',
  maxInFlight: 'MAX_IN_FLIGHT',
  summaryInterval: 'SUMMARY_INTERVAL_MS',
  logLevel: 'LOG_LEVEL',
});

export const DEFAULT_PORTS = Object.freeze({ web: 7080, catalog: 7081, voting: 7082 });

/** Where HTTP/1.1 requests go when an explicit proxy is configured, and which hosts skip it. */
export interface ProxySettings {
  readonly proxy: Address | undefined;
  /** NO_PROXY entries, lower case, without leading dots; "*" means every host. */
  readonly noProxy: readonly string[];
}

export interface CommonConfig {
  readonly listen: Address;
  readonly logLevel: LogLevel;
}

export type CatalogConfig = CommonConfig;

export interface VotingConfig extends CommonConfig {
  /** The item whose votes fail on purpose. */
  readonly failItem: string;
  /** Fraction of that item's votes that fail, 0..1. */
  readonly failRate: number;
}

export interface WebConfig extends CommonConfig {
  readonly catalog: Address;
  readonly voting: Address;
  readonly timeoutMs: number;
  readonly http: ProxySettings;
  /** Proxy for gRPC (HTTP CONNECT): grpc_proxy, else the HTTP proxy. */
  readonly grpc: ProxySettings;
}

export interface VoteBotConfig {
  readonly web: Address;
  /** Requests started per second. */
  readonly rate: number;
  /** At most this many requests outstanding; a tick that would exceed it is skipped. */
  readonly maxInFlight: number;
  readonly summaryIntervalMs: number;
  readonly timeoutMs: number;
  readonly http: ProxySettings;
  readonly logLevel: LogLevel;
}

type Env = Readonly<Record<string, string | undefined>>;

function get(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/**
 * Parses a service address: "host:port", "http://host:port" or "http://host" (port 80).
 * The name is kept unresolved so the runtime can point it at names that only resolve inside
 * its pods, or that only the proxy resolves.
 */
export function parseServiceAddress(value: string, what = 'address'): Address {
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?([^/]+)\/?$/i.exec(value.trim());
  if (!m) throw new ConfigError(`${what}: invalid address "${value}": expected host:port or http://host:port`);
  const scheme = m[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http') {
    throw new ConfigError(`${what}: unsupported scheme "${scheme}" in "${value}" (only http)`);
  }
  const authority = m[2] as string;
  if (scheme === undefined && !/:\d+$/.test(authority)) {
    throw new ConfigError(`${what}: address "${value}" needs a port (host:port)`);
  }
  const a = parseAuthority(authority, 80);
  if (!a) throw new ConfigError(`${what}: invalid address "${value}"`);
  return a;
}

function address(env: Env, name: string, fallback: string): Address {
  return parseServiceAddress(get(env, name) ?? fallback, name);
}

function number(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = get(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`${name}: "${raw}" is not a number in [${min}, ${max}]`);
  }
  return n;
}

function parseNoProxy(raw: string | undefined): readonly string[] {
  if (raw === undefined) return [];
  return raw.split(',')
    .map((s) => s.trim().toLowerCase().replace(/^\*?\./, '').replace(/:\d+$/, ''))
    .filter((s) => s !== '');
}

/** A proxy variable's value: "http://host:port", "http://host" (port 80) or "host:port". */
function proxyAddress(name: string, raw: string | undefined): Address | undefined {
  return raw === undefined ? undefined : parseServiceAddress(raw, name);
}

/** HTTP_PROXY (or http_proxy) and NO_PROXY (or no_proxy), as curl and most clients read them. */
export function parseHttpProxy(env: Env): ProxySettings {
  const upper = get(env, 'HTTP_PROXY');
  return Object.freeze({
    proxy: upper !== undefined ? proxyAddress('HTTP_PROXY', upper) : proxyAddress('http_proxy', get(env, 'http_proxy')),
    noProxy: Object.freeze(parseNoProxy(get(env, 'NO_PROXY') ?? get(env, 'no_proxy'))),
  });
}

/**
 * The proxy for gRPC: grpc_proxy (grpc-js's own variable) or GRPC_PROXY, else the HTTP proxy.
 * grpc-js reads only the lower-case variables itself; we read them here once and hand the proxy
 * to grpc-js as channel options, so upper-case HTTP_PROXY works for gRPC too (see voting-client.ts).
 */
export function parseGrpcProxy(env: Env, http: ProxySettings): ProxySettings {
  const name = get(env, 'grpc_proxy') !== undefined ? 'grpc_proxy' : 'GRPC_PROXY';
  const raw = get(env, name);
  const noGrpc = get(env, 'no_grpc_proxy') ?? get(env, 'NO_GRPC_PROXY');
  return Object.freeze({
    proxy: raw !== undefined ? proxyAddress(name, raw) : http.proxy,
    noProxy: noGrpc !== undefined ? Object.freeze(parseNoProxy(noGrpc)) : http.noProxy,
  });
}

/** True when requests to `host` should go through the configured proxy. */
export function useProxy(settings: ProxySettings, host: string): boolean {
  if (settings.proxy === undefined) return false;
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return !settings.noProxy.some((e) => e === '*' || h === e || h.endsWith(`.${e}`));
}

function common(env: Env, defaultPort: number): CommonConfig {
  const level = get(env, ENV.logLevel) ?? 'info';
  if (!isLogLevel(level)) throw new ConfigError(`${ENV.logLevel}: unknown level "${level}"`);
  return { listen: parseAddress(get(env, ENV.listen) ?? `:${defaultPort}`), logLevel: level };
}

export function parseCatalogConfig(env: Env): CatalogConfig {
  return Object.freeze(common(env, DEFAULT_PORTS.catalog));
}

export function parseVotingConfig(env: Env): VotingConfig {
  const failItem = get(env, ENV.failItem) ?? 'socks';
  return Object.freeze({
    ...common(env, DEFAULT_PORTS.voting),
    failItem,
    failRate: number(env, ENV.failRate, 0.25, 0, 1),
  });
}

export function parseWebConfig(env: Env): WebConfig {
  const http = parseHttpProxy(env);
  return Object.freeze({
    ...common(env, DEFAULT_PORTS.web),
    catalog: address(env, ENV.catalog, `localhost:${DEFAULT_PORTS.catalog}`),
    voting: address(env, ENV.voting, `localhost:${DEFAULT_PORTS.voting}`),
    timeoutMs: number(env, ENV.timeout, 2000, 1, 600_000),
    http,
    grpc: parseGrpcProxy(env, http),
  });
}

export function parseVoteBotConfig(env: Env): VoteBotConfig {
  const level = get(env, ENV.logLevel) ?? 'info';
  if (!isLogLevel(level)) throw new ConfigError(`${ENV.logLevel}: unknown level "${level}"`);
  return Object.freeze({
    web: address(env, ENV.web, `localhost:${DEFAULT_PORTS.web}`),
    rate: number(env, ENV.rate, 8, 0.1, 1000),
    maxInFlight: Math.floor(number(env, ENV.maxInFlight, 4, 1, 1000)),
    summaryIntervalMs: number(env, ENV.summaryInterval, 5000, 10, 3_600_000),
    timeoutMs: number(env, ENV.timeout, 2000, 1, 600_000),
    http: parseHttpProxy(env),
    logLevel: level,
  });
}
