// Loads examples/demo/proto/voting.proto at run time with @grpc/proto-loader. The message types
// below are written by hand (four small messages) rather than generated: the demo is meant to
// read like an ordinary service and keeps its definitions beside it.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';
import { LOADER_OPTIONS } from '../../src/api/load.js';

export interface VoteRequest { itemId: string }
export interface VoteResponse { itemId: string; votes: number }
export type ResultsRequest = Record<string, never>;
export interface Tally { itemId: string; votes: number }
export interface ResultsResponse { results: Tally[] }

/** The grpc-js client class for weft.demo.voting.v1.Voting, with its methods typed. */
export interface VotingClient extends grpc.Client {
  vote(req: VoteRequest, md: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<VoteResponse>): grpc.ClientUnaryCall;
  results(req: ResultsRequest, md: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<ResultsResponse>): grpc.ClientUnaryCall;
  watchResults(req: ResultsRequest, opts?: grpc.CallOptions): grpc.ClientReadableStream<ResultsResponse>;
}
export type VotingClientConstructor = new (target: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => VotingClient;

/** Directory of the .proto, found from this file in examples/demo or dist/examples/demo. */
export function votingProtoPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.includes('/dist/') ? join(here, '..', '..', '..', 'examples', 'demo') : here;
  return join(root, 'proto', 'voting.proto');
}

let cached: { service: grpc.ServiceDefinition; Client: VotingClientConstructor } | undefined;

export function votingService(): { service: grpc.ServiceDefinition; Client: VotingClientConstructor } {
  if (!cached) {
    const def = protoLoader.loadSync(votingProtoPath(), LOADER_OPTIONS);
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      weft: { demo: { voting: { v1: { Voting: grpc.ServiceClientConstructor } } } };
    };
    const ctor = pkg.weft.demo.voting.v1.Voting;
    cached = { service: ctor.service, Client: ctor as unknown as VotingClientConstructor };
  }
  return cached;
}
