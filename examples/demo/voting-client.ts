// The web frontend's client for the voting gRPC service, with promise-returning calls.
// Explicit proxy: grpc-js itself honours the lower-case grpc_proxy / https_proxy / http_proxy
// variables (and no_grpc_proxy / no_proxy) by sending "CONNECT voting.demo:7082" to the proxy
// and speaking h2c through the tunnel. We read the proxy once in config.ts instead (so HTTP_PROXY
// in upper case works too and the choice is made at start), disable grpc-js's own lookup, and
// pass the same setting through its channel options.
import * as grpc from '@grpc/grpc-js';
import { formatAddress } from '../../src/lib/address.js';
import type { Address } from '../../src/lib/address.js';
import { useProxy } from './config.js';
import type { ProxySettings } from './config.js';
import { votingService } from './voting-proto.js';
import type { ResultsResponse, VoteResponse, VotingClient } from './voting-proto.js';

/** The grpc-js target and channel options for `target`, through `proxy` when it applies. */
export function votingChannel(target: Address, proxy: ProxySettings): { target: string; options: grpc.ChannelOptions } {
  const authority = formatAddress(target);
  const options: grpc.ChannelOptions = { 'grpc.enable_http_proxy': 0 };
  const via = useProxy(proxy, target.host) ? proxy.proxy : undefined;
  if (!via) return { target: `dns:${authority}`, options };
  return {
    target: `dns:${formatAddress(via)}`,
    options: {
      ...options,
      // What grpc-js's own proxy mapping sets: the tunnel's CONNECT target, and the :authority
      // of calls (which would otherwise name the proxy).
      'grpc.http_connect_target': `dns:${authority}`,
      'grpc.default_authority': authority,
    },
  };
}

export class VotingApi {
  private readonly client: VotingClient;

  constructor(target: Address, proxy: ProxySettings, private readonly timeoutMs: number) {
    const { Client } = votingService();
    const ch = votingChannel(target, proxy);
    this.client = new Client(ch.target, grpc.credentials.createInsecure(), ch.options);
  }

  private deadline(): grpc.CallOptions {
    return { deadline: Date.now() + this.timeoutMs };
  }

  vote(itemId: string): Promise<VoteResponse> {
    return new Promise((resolve, reject) => {
      this.client.vote({ itemId }, new grpc.Metadata(), this.deadline(), (err, res) => (err || !res ? reject(err) : resolve(res)));
    });
  }

  results(): Promise<ResultsResponse> {
    return new Promise((resolve, reject) => {
      this.client.results({}, new grpc.Metadata(), this.deadline(), (err, res) => (err || !res ? reject(err) : resolve(res)));
    });
  }

  /** A server stream of tallies; cancel it when the watcher leaves. */
  watchResults(): grpc.ClientReadableStream<ResultsResponse> {
    return this.client.watchResults({});
  }

  close(): void {
    this.client.close();
  }
}
