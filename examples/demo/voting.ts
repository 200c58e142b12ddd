// `voting`: a gRPC service counting votes. One item's votes fail on purpose (FAIL_ITEM, a
// FAIL_RATE fraction of the time, status UNKNOWN) so the mesh's success-rate metrics have
// something to show, like emojivoto's doughnut.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../src/lib/log.js';
import { formatAddress } from '../../src/lib/address.js';
import type { VotingConfig } from './config.js';
import { ITEM_ID } from './items.js';
import type { Rng } from './rng.js';
import type { Running } from './serve.js';
import { votingService } from './voting-proto.js';
import type { ResultsRequest, ResultsResponse, VoteRequest, VoteResponse } from './voting-proto.js';

export interface VotingDeps {
  readonly rng?: Rng;
}

/** The tally and its watchers, apart from gRPC so the failure rule can be read on its own. */
export class Ballot {
  private readonly votes = new Map<string, number>();
  private readonly watchers = new Set<(r: ResultsResponse) => void>();

  constructor(private readonly failItem: string, private readonly failRate: number, private readonly rng: Rng) {}

  /** Returns the item's new count, or undefined when this vote fails on purpose. */
  vote(itemId: string): number | undefined {
    if (itemId === this.failItem && this.rng() < this.failRate) return undefined;
    const n = (this.votes.get(itemId) ?? 0) + 1;
    this.votes.set(itemId, n);
    const r = this.results();
    for (const w of this.watchers) w(r);
    return n;
  }

  results(): ResultsResponse {
    const results = [...this.votes].map(([itemId, votes]) => ({ itemId, votes }));
    results.sort((a, b) => b.votes - a.votes || a.itemId.localeCompare(b.itemId));
    return { results };
  }

  watch(fn: (r: ResultsResponse) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }
}

export function votingImplementation(ballot: Ballot, log: Logger, streams: Set<grpc.ServerWritableStream<ResultsRequest, ResultsResponse>>): grpc.UntypedServiceImplementation {
  return {
    vote(call: grpc.ServerUnaryCall<VoteRequest, VoteResponse>, cb: grpc.sendUnaryData<VoteResponse>) {
      const id = call.request.itemId;
      if (!ITEM_ID.test(id)) {
        cb({ code: grpc.status.INVALID_ARGUMENT, details: 'item_id must be a lower-case word' });
        return;
      }
      const votes = ballot.vote(id);
      if (votes === undefined) {
        log.debug('vote failed on purpose', { item: id });
        cb({ code: grpc.status.UNKNOWN, details: `${id} went missing in the wash (injected failure)` });
        return;
      }
      cb(null, { itemId: id, votes });
    },
    results(_call: grpc.ServerUnaryCall<ResultsRequest, ResultsResponse>, cb: grpc.sendUnaryData<ResultsResponse>) {
      cb(null, ballot.results());
    },
    watchResults(call: grpc.ServerWritableStream<ResultsRequest, ResultsResponse>) {
      streams.add(call);
      const stop = ballot.watch((r) => {
        if (!call.cancelled && call.writable) call.write(r);
      });
      const done = (): void => {
        stop();
        streams.delete(call);
      };
      call.on('cancelled', done);
      call.on('close', done);
      call.on('error', done);
      call.write(ballot.results());
    },
  };
}

export async function startVoting(cfg: VotingConfig, log: Logger, deps: VotingDeps = {}): Promise<Running> {
  const ballot = new Ballot(cfg.failItem, cfg.failRate, deps.rng ?? Math.random);
  const streams = new Set<grpc.ServerWritableStream<ResultsRequest, ResultsResponse>>();
  const server = new grpc.Server();
  server.addService(votingService().service, votingImplementation(ballot, log, streams));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(formatAddress(cfg.listen), grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    address: { host: cfg.listen.host, port },
    close: () => new Promise<void>((resolve) => {
      // Watch streams never end on their own: end them so in-flight unary calls can finish.
      for (const s of streams) s.end();
      streams.clear();
      const timer = setTimeout(() => server.forceShutdown(), 5000);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    }),
  };
}
