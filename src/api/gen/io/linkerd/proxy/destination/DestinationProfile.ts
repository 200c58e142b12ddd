// Original file: destination.proto

import type { Route as _io_linkerd_proxy_destination_Route, Route__Output as _io_linkerd_proxy_destination_Route__Output } from '../../../../io/linkerd/proxy/destination/Route.js';
import type { RetryBudget as _io_linkerd_proxy_destination_RetryBudget, RetryBudget__Output as _io_linkerd_proxy_destination_RetryBudget__Output } from '../../../../io/linkerd/proxy/destination/RetryBudget.js';
import type { WeightedDst as _io_linkerd_proxy_destination_WeightedDst, WeightedDst__Output as _io_linkerd_proxy_destination_WeightedDst__Output } from '../../../../io/linkerd/proxy/destination/WeightedDst.js';
import type { WeightedAddr as _io_linkerd_proxy_destination_WeightedAddr, WeightedAddr__Output as _io_linkerd_proxy_destination_WeightedAddr__Output } from '../../../../io/linkerd/proxy/destination/WeightedAddr.js';

export interface DestinationProfile {
  'routes'?: (_io_linkerd_proxy_destination_Route)[];
  'retryBudget'?: (_io_linkerd_proxy_destination_RetryBudget | null);
  'dstOverrides'?: (_io_linkerd_proxy_destination_WeightedDst)[];
  'opaqueProtocol'?: (boolean);
  'fullyQualifiedName'?: (string);
  'endpoint'?: (_io_linkerd_proxy_destination_WeightedAddr | null);
}

export interface DestinationProfile__Output {
  'routes': (_io_linkerd_proxy_destination_Route__Output)[];
  'retryBudget': (_io_linkerd_proxy_destination_RetryBudget__Output | null);
  'dstOverrides': (_io_linkerd_proxy_destination_WeightedDst__Output)[];
  'opaqueProtocol': (boolean);
  'fullyQualifiedName': (string);
  'endpoint': (_io_linkerd_proxy_destination_WeightedAddr__Output | null);
}
