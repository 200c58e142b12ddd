// Original file: outbound.proto

import type { Metadata as _io_linkerd_proxy_meta_Metadata, Metadata__Output as _io_linkerd_proxy_meta_Metadata__Output } from '../../../../io/linkerd/proxy/meta/Metadata.js';
import type { WeightedAddr as _io_linkerd_proxy_destination_WeightedAddr, WeightedAddr__Output as _io_linkerd_proxy_destination_WeightedAddr__Output } from '../../../../io/linkerd/proxy/destination/WeightedAddr.js';
import type { Queue as _io_linkerd_proxy_outbound_Queue, Queue__Output as _io_linkerd_proxy_outbound_Queue__Output } from '../../../../io/linkerd/proxy/outbound/Queue.js';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../../google/protobuf/Duration.js';

export interface _io_linkerd_proxy_outbound_Backend_BalanceP2c {
  'discovery'?: (_io_linkerd_proxy_outbound_Backend_EndpointDiscovery | null);
  'peakEwma'?: (_io_linkerd_proxy_outbound_Backend_BalanceP2c_PeakEwma | null);
  'penaltyPeakEwma'?: (_io_linkerd_proxy_outbound_Backend_BalanceP2c_PenaltyPeakEwma | null);
  'load'?: "peakEwma"|"penaltyPeakEwma";
}

export interface _io_linkerd_proxy_outbound_Backend_BalanceP2c__Output {
  'discovery': (_io_linkerd_proxy_outbound_Backend_EndpointDiscovery__Output | null);
  'peakEwma'?: (_io_linkerd_proxy_outbound_Backend_BalanceP2c_PeakEwma__Output | null);
  'penaltyPeakEwma'?: (_io_linkerd_proxy_outbound_Backend_BalanceP2c_PenaltyPeakEwma__Output | null);
  'load'?: "peakEwma"|"penaltyPeakEwma";
}

export interface _io_linkerd_proxy_outbound_Backend_EndpointDiscovery_DestinationGet {
  'path'?: (string);
}

export interface _io_linkerd_proxy_outbound_Backend_EndpointDiscovery_DestinationGet__Output {
  'path': (string);
}

export interface _io_linkerd_proxy_outbound_Backend_EndpointDiscovery {
  'dst'?: (_io_linkerd_proxy_outbound_Backend_EndpointDiscovery_DestinationGet | null);
  'kind'?: "dst";
}

export interface _io_linkerd_proxy_outbound_Backend_EndpointDiscovery__Output {
  'dst'?: (_io_linkerd_proxy_outbound_Backend_EndpointDiscovery_DestinationGet__Output | null);
  'kind'?: "dst";
}

export interface _io_linkerd_proxy_outbound_Backend_BalanceP2c_PeakEwma {
  'defaultRtt'?: (_google_protobuf_Duration | null);
  'decay'?: (_google_protobuf_Duration | null);
}

export interface _io_linkerd_proxy_outbound_Backend_BalanceP2c_PeakEwma__Output {
  'defaultRtt': (_google_protobuf_Duration__Output | null);
  'decay': (_google_protobuf_Duration__Output | null);
}

export interface _io_linkerd_proxy_outbound_Backend_BalanceP2c_PenaltyPeakEwma {
  'defaultRtt'?: (_google_protobuf_Duration | null);
  'decay'?: (_google_protobuf_Duration | null);
  'penalty'?: (_google_protobuf_Duration | null);
  'maxRetryAfter'?: (_google_protobuf_Duration | null);
  'penaltyDecay'?: (_google_protobuf_Duration | null);
}

export interface _io_linkerd_proxy_outbound_Backend_BalanceP2c_PenaltyPeakEwma__Output {
  'defaultRtt': (_google_protobuf_Duration__Output | null);
  'decay': (_google_protobuf_Duration__Output | null);
  'penalty': (_google_protobuf_Duration__Output | null);
  'maxRetryAfter': (_google_protobuf_Duration__Output | null);
  'penaltyDecay': (_google_protobuf_Duration__Output | null);
}

export interface Backend {
  'metadata'?: (_io_linkerd_proxy_meta_Metadata | null);
  'forward'?: (_io_linkerd_proxy_destination_WeightedAddr | null);
  'balancer'?: (_io_linkerd_proxy_outbound_Backend_BalanceP2c | null);
  'queue'?: (_io_linkerd_proxy_outbound_Queue | null);
  'kind'?: "forward"|"balancer";
}

export interface Backend__Output {
  'metadata': (_io_linkerd_proxy_meta_Metadata__Output | null);
  'forward'?: (_io_linkerd_proxy_destination_WeightedAddr__Output | null);
  'balancer'?: (_io_linkerd_proxy_outbound_Backend_BalanceP2c__Output | null);
  'queue': (_io_linkerd_proxy_outbound_Queue__Output | null);
  'kind'?: "forward"|"balancer";
}
