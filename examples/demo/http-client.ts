// A small HTTP/1.1 JSON client for the demo (node:http, keep-alive). When an explicit proxy is
// configured (HTTP_PROXY), requests go to the proxy in absolute form
// ("GET http://catalog.demo:7081/items HTTP/1.1"), the way any HTTP client uses a forward proxy;
// the target name is then resolved by the proxy, never here.
import { Agent, request } from 'node:http';
import { formatAddress } from '../../src/lib/address.js';
import type { Address } from '../../src/lib/address.js';
import { useProxy } from './config.js';
import type { ProxySettings } from './config.js';
import { DemoTimeoutError, DemoUpstreamError } from './errors.js';

export interface HttpResult {
  readonly status: number;
  readonly body: unknown;
}

export interface HttpCallOptions {
  readonly method?: string;
  readonly timeoutMs: number;
}

export class JsonHttpClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    /** Names the upstream in errors and logs. */
    private readonly service: string,
    private readonly target: Address,
    private readonly proxy: ProxySettings,
  ) {}

  /** Sends a request and parses a JSON body; any status is returned, transport errors thrown. */
  call(path: string, opts: HttpCallOptions): Promise<HttpResult> {
    const authority = formatAddress(this.target);
    const viaProxy = useProxy(this.proxy, this.target.host) ? this.proxy.proxy : undefined;
    const connectTo = viaProxy ?? this.target;
    return new Promise((resolve, reject) => {
      const req = request({
        agent: this.agent,
        host: connectTo.host,
        port: connectTo.port,
        method: opts.method ?? 'GET',
        path: viaProxy ? `http://${authority}${path}` : path,
        headers: { host: authority, accept: 'application/json' },
      });
      // A deadline for the whole exchange, not only for idle sockets.
      const timer = setTimeout(() => req.destroy(new DemoTimeoutError(this.service, opts.timeoutMs)), opts.timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (err) => {
        reject(err instanceof DemoTimeoutError ? err : new DemoUpstreamError(this.service, undefined, err.message, { cause: err }));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new DemoUpstreamError(this.service, res.statusCode, err.message, { cause: err })));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (text === '') {
            resolve({ status, body: undefined });
            return;
          }
          try {
            resolve({ status, body: JSON.parse(text) as unknown });
          } catch (err) {
            reject(new DemoUpstreamError(this.service, status, `status ${status} with a body that is not JSON`, { cause: err }));
          }
        });
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
