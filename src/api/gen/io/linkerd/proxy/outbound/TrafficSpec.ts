// Original file: outbound.proto

import type { TcpAddress as _io_linkerd_proxy_net_TcpAddress, TcpAddress__Output as _io_linkerd_proxy_net_TcpAddress__Output } from '../../../../io/linkerd/proxy/net/TcpAddress.js';

export interface TrafficSpec {
  'sourceWorkload'?: (string);
  'addr'?: (_io_linkerd_proxy_net_TcpAddress | null);
  'authority'?: (string);
  'target'?: "addr"|"authority";
}

export interface TrafficSpec__Output {
  'sourceWorkload': (string);
  'addr'?: (_io_linkerd_proxy_net_TcpAddress__Output | null);
  'authority'?: (string);
  'target'?: "addr"|"authority";
}
