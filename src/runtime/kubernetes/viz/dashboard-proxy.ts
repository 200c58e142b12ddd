// `weft dashboard --kubernetes`: the cluster's dashboard (served by the metrics API's pod of
// `weft viz install`, port `web`) on a loopback address of this machine, as `linkerd viz
// dashboard` does with a port-forward. Here each request is relayed through the API server's
// service proxy with the kubeconfig's credentials, so it needs only what `viz stat --kubernetes`
// needs (`get services/proxy` in weft-viz), and the pages keep their absolute paths (/api/...),
// which a browser pointed at the API server's proxy path would lose. GET and HEAD only: the
// dashboard is read-only, and nothing else should ride on the user's credentials. Responses,
// the live event stream included, are piped as they come.
import type { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Address } from '../../../lib/address.js';
import { ConfigError } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/log.js';
import { VIZ_NAME, VIZ_NAMESPACE, WEB_PORT_NAME } from './names.js';

export interface DashboardProxy {
  readonly url: string;
  close(): Promise<void>;
}

/** Hop-by-hop headers are the relay's own, not the page's. */
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export async function startDashboardProxy(kc: KubeConfig, listen: Address, log?: Logger): Promise<DashboardProxy> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new ConfigError('the kubeconfig names no cluster server');
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const base = new URL(`${server.replace(/\/$/, '')}/api/v1/namespaces/${VIZ_NAMESPACE}/services/${VIZ_NAME['metrics-api']}:${WEB_PORT_NAME}/proxy`);
  const agent = new https.Agent({ keepAlive: true, ...(options.ca ? { ca: options.ca } : {}), ...(options.cert ? { cert: options.cert, key: options.key } : {}), rejectUnauthorized: options.rejectUnauthorized ?? true });

  const relay = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('the dashboard is read-only\n');
      return;
    }
    // The kubeconfig's credentials (a bearer token), as applyToHTTPSOptions set them.
    const headers: http.OutgoingHttpHeaders = { ...(options.headers as http.OutgoingHttpHeaders | undefined) };
    for (const h of ['accept', 'accept-encoding', 'if-none-match', 'last-event-id']) if (req.headers[h]) headers[h] = req.headers[h];
    const up = https.request({ ...options, agent, method: req.method, hostname: base.hostname, port: base.port, path: `${base.pathname}${req.url ?? '/'}`, headers }, (upRes) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(upRes.headers)) if (!HOP.has(k) && v !== undefined) out[k] = v;
      res.writeHead(upRes.statusCode ?? 502, out);
      upRes.pipe(res);
    });
    up.on('error', (err) => {
      log?.warn('dashboard relay failed', { path: req.url, err });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`the cluster's dashboard does not answer through the API server (${(err as NodeJS.ErrnoException).code ?? err.message}): see \`kubectl -n ${VIZ_NAMESPACE} get pods\`\n`);
    });
    // A closed page ends its event stream upstream too.
    res.on('close', () => up.destroy());
    up.end();
  });
  await new Promise<void>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(listen.port, listen.host, () => resolve());
  });
  const port = (relay.address() as AddressInfo).port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/`,
    close: () => new Promise((r) => {
      relay.closeAllConnections();
      agent.destroy();
      relay.close(() => r());
    }),
  };
}
