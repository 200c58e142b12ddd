// Original file: destination.proto

import type { TcpAddress as _io_linkerd_proxy_net_TcpAddress, TcpAddress__Output as _io_linkerd_proxy_net_TcpAddress__Output } from '../../../../io/linkerd/proxy/net/TcpAddress.js';
import type { TlsIdentity as _io_linkerd_proxy_destination_TlsIdentity, TlsIdentity__Output as _io_linkerd_proxy_destination_TlsIdentity__Output } from '../../../../io/linkerd/proxy/destination/TlsIdentity.js';
import type { ProtocolHint as _io_linkerd_proxy_destination_ProtocolHint, ProtocolHint__Output as _io_linkerd_proxy_destination_ProtocolHint__Output } from '../../../../io/linkerd/proxy/destination/ProtocolHint.js';
import type { AuthorityOverride as _io_linkerd_proxy_destination_AuthorityOverride, AuthorityOverride__Output as _io_linkerd_proxy_destination_AuthorityOverride__Output } from '../../../../io/linkerd/proxy/destination/AuthorityOverride.js';

export interface WeightedAddr {
  'addr'?: (_io_linkerd_proxy_net_TcpAddress | null);
  'weight'?: (number);
  'metricLabels'?: ({[key: string]: string});
  'tlsIdentity'?: (_io_linkerd_proxy_destination_TlsIdentity | null);
  'protocolHint'?: (_io_linkerd_proxy_destination_ProtocolHint | null);
  'authorityOverride'?: (_io_linkerd_proxy_destination_AuthorityOverride | null);
}

export interface WeightedAddr__Output {
  'addr': (_io_linkerd_proxy_net_TcpAddress__Output | null);
  'weight': (number);
  'metricLabels': ({[key: string]: string});
  'tlsIdentity': (_io_linkerd_proxy_destination_TlsIdentity__Output | null);
  'protocolHint': (_io_linkerd_proxy_destination_ProtocolHint__Output | null);
  'authorityOverride': (_io_linkerd_proxy_destination_AuthorityOverride__Output | null);
}
