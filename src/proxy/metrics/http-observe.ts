// Metrics layers: count each request when it starts and each response when its stream ends
// (latency is measured to the end of the response, as Linkerd's response_latency_ms is).
// They observe from the side and never change the request.
import { performance } from 'node:perf_hooks';
import http2 from 'node:http2';
import { httpLabels } from '../context.js';
import type { H1Layer } from '../http/h1-forward.js';
import type { H2Layer } from '../http/h2-forward.js';
import { classifyResponse, type ProxyMetrics } from './registry.js';

export function observeH1(metrics: ProxyMetrics): H1Layer {
  return (next) => (req, res, route) => {
    const labels = httpLabels(route.ctx, route.authority, route.target, route.identity);
    metrics.requestStarted(labels);
    res.onClose((done) => {
      const ms = performance.now() - route.startMs;
      const status = res.headersSent ? res.statusCode : 0;
      metrics.responseFinished(labels, status, done ? classifyResponse(status, undefined) : 'failure', ms, done ? '' : 'stream_reset');
    });
    next(req, res, route);
  };
}

export function observeH2(metrics: ProxyMetrics): H2Layer {
  return (next) => (stream, headers, flags, route) => {
    const labels = httpLabels(route.ctx, route.authority, route.target, route.identity);
    metrics.requestStarted(labels);
    stream.once('close', () => {
      const ms = performance.now() - route.startMs;
      const sent = stream.sentHeaders ?? {};
      const status = Number(sent[':status'] ?? 0);
      const grpc = (stream.sentTrailers?.['grpc-status'] ?? sent['grpc-status']) as string | undefined;
      const reset = stream.rstCode !== undefined && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR;
      metrics.responseFinished(labels, status, reset || !status ? 'failure' : classifyResponse(status, grpc), ms, reset ? 'stream_reset' : '');
    });
    next(stream, headers, flags, route);
  };
}
