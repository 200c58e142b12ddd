// Original file: inbound.proto

import type { IPNetwork as _io_linkerd_proxy_net_IPNetwork, IPNetwork__Output as _io_linkerd_proxy_net_IPNetwork__Output } from '../../../../io/linkerd/proxy/net/IPNetwork.js';

export interface Network {
  'net'?: (_io_linkerd_proxy_net_IPNetwork | null);
  'except'?: (_io_linkerd_proxy_net_IPNetwork)[];
}

export interface Network__Output {
  'net': (_io_linkerd_proxy_net_IPNetwork__Output | null);
  'except': (_io_linkerd_proxy_net_IPNetwork__Output)[];
}
