// Original file: inbound.proto

import type { Metadata as _io_linkerd_proxy_meta_Metadata, Metadata__Output as _io_linkerd_proxy_meta_Metadata__Output } from '../../../../io/linkerd/proxy/meta/Metadata.js';
import type { Identity as _io_linkerd_proxy_inbound_Identity, Identity__Output as _io_linkerd_proxy_inbound_Identity__Output } from '../../../../io/linkerd/proxy/inbound/Identity.js';

export interface _io_linkerd_proxy_inbound_HttpLocalRateLimit_Override_ClientIdentities {
  'identities'?: (_io_linkerd_proxy_inbound_Identity)[];
}

export interface _io_linkerd_proxy_inbound_HttpLocalRateLimit_Override_ClientIdentities__Output {
  'identities': (_io_linkerd_proxy_inbound_Identity__Output)[];
}

export interface _io_linkerd_proxy_inbound_HttpLocalRateLimit_Limit {
  'requestsPerSecond'?: (number);
}

export interface _io_linkerd_proxy_inbound_HttpLocalRateLimit_Limit__Output {
  'requestsPerSecond': (number);
}

export interface _io_linkerd_proxy_inbound_HttpLocalRateLimit_Override {
  'limit'?: (_io_linkerd_proxy_inbound_HttpLocalRateLimit_Limit | null);
  'clients'?: (_io_linkerd_proxy_inbound_HttpLocalRateLimit_Override_ClientIdentities | null);
}

export interface _io_linkerd_proxy_inbound_HttpLocalRateLimit_Override__Output {
  'limit': (_io_linkerd_proxy_inbound_HttpLocalRateLimit_Limit__Output | null);
  'clients': (_io_linkerd_proxy_inbound_HttpLocalRateLimit_Override_ClientIdentities__Output | null);
}

export interface HttpLocalRateLimit {
  'metadata'?: (_io_linkerd_proxy_meta_Metadata | null);
  'total'?: (_io_linkerd_proxy_inbound_HttpLocalRateLimit_Limit | null);
  'identity'?: (_io_linkerd_proxy_inbound_HttpLocalRateLimit_Limit | null);
  'overrides'?: (_io_linkerd_proxy_inbound_HttpLocalRateLimit_Override)[];
}

export interface HttpLocalRateLimit__Output {
  'metadata': (_io_linkerd_proxy_meta_Metadata__Output | null);
  'total': (_io_linkerd_proxy_inbound_HttpLocalRateLimit_Limit__Output | null);
  'identity': (_io_linkerd_proxy_inbound_HttpLocalRateLimit_Limit__Output | null);
  'overrides': (_io_linkerd_proxy_inbound_HttpLocalRateLimit_Override__Output)[];
}
