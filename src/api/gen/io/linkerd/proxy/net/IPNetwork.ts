// Original file: net.proto

import type { IPAddress as _io_linkerd_proxy_net_IPAddress, IPAddress__Output as _io_linkerd_proxy_net_IPAddress__Output } from '../../../../io/linkerd/proxy/net/IPAddress.js';

export interface IPNetwork {
  'ip'?: (_io_linkerd_proxy_net_IPAddress | null);
  'prefixLen'?: (number);
}

export interface IPNetwork__Output {
  'ip': (_io_linkerd_proxy_net_IPAddress__Output | null);
  'prefixLen': (number);
}
