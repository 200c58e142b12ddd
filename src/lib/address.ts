// Socket addresses as the mesh passes them around: "host:port", with IPv6 in brackets.
import { ConfigError } from './errors.js';

export interface Address {
  readonly host: string;
  readonly port: number;
}

/** Parses "host:port", "[v6]:port" or ":port" (host defaults to `defaultHost`). */
export function parseAddress(s: string, defaultHost = '0.0.0.0'): Address {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(s.trim());
  if (!m) throw new ConfigError(`invalid address "${s}": expected host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(`invalid address "${s}": port out of range`);
  const host = m[1] ?? (m[2] || defaultHost);
  return { host, port };
}

export function formatAddress(a: Address): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Parses an HTTP authority ("host", "host:port", "[v6]:port") with a default port. */
export function parseAuthority(authority: string, defaultPort: number): Address | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]/@]+))(?::(\d{1,5}))?$/.exec(authority);
  if (!m) return undefined;
  const port = m[3] ? Number(m[3]) : defaultPort;
  if (port < 1 || port > 65535) return undefined;
  return { host: (m[1] ?? m[2]) as string, port };
}
