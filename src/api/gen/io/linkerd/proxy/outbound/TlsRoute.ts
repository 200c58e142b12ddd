// Original file: outbound.proto

import type { Metadata as _io_linkerd_proxy_meta_Metadata, Metadata__Output as _io_linkerd_proxy_meta_Metadata__Output } from '../../../../io/linkerd/proxy/meta/Metadata.js';
import type { SniMatch as _io_linkerd_proxy_tls_route_SniMatch, SniMatch__Output as _io_linkerd_proxy_tls_route_SniMatch__Output } from '../../../../io/linkerd/proxy/tls_route/SniMatch.js';
import type { Invalid as _io_linkerd_proxy_opaque_route_Invalid, Invalid__Output as _io_linkerd_proxy_opaque_route_Invalid__Output } from '../../../../io/linkerd/proxy/opaque_route/Invalid.js';
import type { Forbidden as _io_linkerd_proxy_opaque_route_Forbidden, Forbidden__Output as _io_linkerd_proxy_opaque_route_Forbidden__Output } from '../../../../io/linkerd/proxy/opaque_route/Forbidden.js';
import type { Backend as _io_linkerd_proxy_outbound_Backend, Backend__Output as _io_linkerd_proxy_outbound_Backend__Output } from '../../../../io/linkerd/proxy/outbound/Backend.js';

export interface _io_linkerd_proxy_outbound_TlsRoute_Distribution {
  'empty'?: (_io_linkerd_proxy_outbound_TlsRoute_Distribution_Empty | null);
  'firstAvailable'?: (_io_linkerd_proxy_outbound_TlsRoute_Distribution_FirstAvailable | null);
  'randomAvailable'?: (_io_linkerd_proxy_outbound_TlsRoute_Distribution_RandomAvailable | null);
  'kind'?: "empty"|"firstAvailable"|"randomAvailable";
}

export interface _io_linkerd_proxy_outbound_TlsRoute_Distribution__Output {
  'empty'?: (_io_linkerd_proxy_outbound_TlsRoute_Distribution_Empty__Output | null);
  'firstAvailable'?: (_io_linkerd_proxy_outbound_TlsRoute_Distribution_FirstAvailable__Output | null);
  'randomAvailable'?: (_io_linkerd_proxy_outbound_TlsRoute_Distribution_RandomAvailable__Output | null);
  'kind'?: "empty"|"firstAvailable"|"randomAvailable";
}

export interface _io_linkerd_proxy_outbound_TlsRoute_Distribution_Empty {
}

export interface _io_linkerd_proxy_outbound_TlsRoute_Distribution_Empty__Output {
}

export interface _io_linkerd_proxy_outbound_TlsRoute_Filter {
  'invalid'?: (_io_linkerd_proxy_opaque_route_Invalid | null);
  'forbidden'?: (_io_linkerd_proxy_opaque_route_Forbidden | null);
  'kind'?: "invalid"|"forbidden";
}

export interface _io_linkerd_proxy_outbound_TlsRoute_Filter__Output {
  'invalid'?: (_io_linkerd_proxy_opaque_route_Invalid__Output | null);
  'forbidden'?: (_io_linkerd_proxy_opaque_route_Forbidden__Output | null);
  'kind'?: "invalid"|"forbidden";
}

export interface _io_linkerd_proxy_outbound_TlsRoute_Distribution_FirstAvailable {
  'backends'?: (_io_linkerd_proxy_outbound_TlsRoute_RouteBackend)[];
}

export interface _io_linkerd_proxy_outbound_TlsRoute_Distribution_FirstAvailable__Output {
  'backends': (_io_linkerd_proxy_outbound_TlsRoute_RouteBackend__Output)[];
}

export interface _io_linkerd_proxy_outbound_TlsRoute_Distribution_RandomAvailable {
  'backends'?: (_io_linkerd_proxy_outbound_TlsRoute_WeightedRouteBackend)[];
}

export interface _io_linkerd_proxy_outbound_TlsRoute_Distribution_RandomAvailable__Output {
  'backends': (_io_linkerd_proxy_outbound_TlsRoute_WeightedRouteBackend__Output)[];
}

export interface _io_linkerd_proxy_outbound_TlsRoute_RouteBackend {
  'backend'?: (_io_linkerd_proxy_outbound_Backend | null);
  'filters'?: (_io_linkerd_proxy_outbound_TlsRoute_Filter)[];
}

export interface _io_linkerd_proxy_outbound_TlsRoute_RouteBackend__Output {
  'backend': (_io_linkerd_proxy_outbound_Backend__Output | null);
  'filters': (_io_linkerd_proxy_outbound_TlsRoute_Filter__Output)[];
}

export interface _io_linkerd_proxy_outbound_TlsRoute_Rule {
  'backends'?: (_io_linkerd_proxy_outbound_TlsRoute_Distribution | null);
  'filters'?: (_io_linkerd_proxy_outbound_TlsRoute_Filter)[];
}

export interface _io_linkerd_proxy_outbound_TlsRoute_Rule__Output {
  'backends': (_io_linkerd_proxy_outbound_TlsRoute_Distribution__Output | null);
  'filters': (_io_linkerd_proxy_outbound_TlsRoute_Filter__Output)[];
}

export interface _io_linkerd_proxy_outbound_TlsRoute_WeightedRouteBackend {
  'backend'?: (_io_linkerd_proxy_outbound_TlsRoute_RouteBackend | null);
  'weight'?: (number);
}

export interface _io_linkerd_proxy_outbound_TlsRoute_WeightedRouteBackend__Output {
  'backend': (_io_linkerd_proxy_outbound_TlsRoute_RouteBackend__Output | null);
  'weight': (number);
}

export interface TlsRoute {
  'metadata'?: (_io_linkerd_proxy_meta_Metadata | null);
  'snis'?: (_io_linkerd_proxy_tls_route_SniMatch)[];
  'rules'?: (_io_linkerd_proxy_outbound_TlsRoute_Rule)[];
}

export interface TlsRoute__Output {
  'metadata': (_io_linkerd_proxy_meta_Metadata__Output | null);
  'snis': (_io_linkerd_proxy_tls_route_SniMatch__Output)[];
  'rules': (_io_linkerd_proxy_outbound_TlsRoute_Rule__Output)[];
}
