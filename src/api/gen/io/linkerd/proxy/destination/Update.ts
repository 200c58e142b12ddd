// Original file: destination.proto

import type { WeightedAddrSet as _io_linkerd_proxy_destination_WeightedAddrSet, WeightedAddrSet__Output as _io_linkerd_proxy_destination_WeightedAddrSet__Output } from '../../../../io/linkerd/proxy/destination/WeightedAddrSet.js';
import type { AddrSet as _io_linkerd_proxy_destination_AddrSet, AddrSet__Output as _io_linkerd_proxy_destination_AddrSet__Output } from '../../../../io/linkerd/proxy/destination/AddrSet.js';
import type { NoEndpoints as _io_linkerd_proxy_destination_NoEndpoints, NoEndpoints__Output as _io_linkerd_proxy_destination_NoEndpoints__Output } from '../../../../io/linkerd/proxy/destination/NoEndpoints.js';

export interface Update {
  'add'?: (_io_linkerd_proxy_destination_WeightedAddrSet | null);
  'remove'?: (_io_linkerd_proxy_destination_AddrSet | null);
  'noEndpoints'?: (_io_linkerd_proxy_destination_NoEndpoints | null);
  'update'?: "add"|"remove"|"noEndpoints";
}

export interface Update__Output {
  'add'?: (_io_linkerd_proxy_destination_WeightedAddrSet__Output | null);
  'remove'?: (_io_linkerd_proxy_destination_AddrSet__Output | null);
  'noEndpoints'?: (_io_linkerd_proxy_destination_NoEndpoints__Output | null);
  'update'?: "add"|"remove"|"noEndpoints";
}
