// Original file: outbound.proto

import type { Metadata as _io_linkerd_proxy_meta_Metadata, Metadata__Output as _io_linkerd_proxy_meta_Metadata__Output } from '../../../../io/linkerd/proxy/meta/Metadata.js';

export interface RouteRateLimit {
  'metadata'?: (_io_linkerd_proxy_meta_Metadata | null);
  'requestsPerSecond'?: (number);
}

export interface RouteRateLimit__Output {
  'metadata': (_io_linkerd_proxy_meta_Metadata__Output | null);
  'requestsPerSecond': (number);
}
