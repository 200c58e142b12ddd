// Original file: inbound.proto

import type { Metadata as _io_linkerd_proxy_meta_Metadata, Metadata__Output as _io_linkerd_proxy_meta_Metadata__Output } from '../../../../io/linkerd/proxy/meta/Metadata.js';
import type { HostMatch as _io_linkerd_proxy_http_route_HostMatch, HostMatch__Output as _io_linkerd_proxy_http_route_HostMatch__Output } from '../../../../io/linkerd/proxy/http_route/HostMatch.js';
import type { Authz as _io_linkerd_proxy_inbound_Authz, Authz__Output as _io_linkerd_proxy_inbound_Authz__Output } from '../../../../io/linkerd/proxy/inbound/Authz.js';
import type { GrpcRouteMatch as _io_linkerd_proxy_grpc_route_GrpcRouteMatch, GrpcRouteMatch__Output as _io_linkerd_proxy_grpc_route_GrpcRouteMatch__Output } from '../../../../io/linkerd/proxy/grpc_route/GrpcRouteMatch.js';
import type { GrpcFailureInjector as _io_linkerd_proxy_grpc_route_GrpcFailureInjector, GrpcFailureInjector__Output as _io_linkerd_proxy_grpc_route_GrpcFailureInjector__Output } from '../../../../io/linkerd/proxy/grpc_route/GrpcFailureInjector.js';
import type { RequestHeaderModifier as _io_linkerd_proxy_http_route_RequestHeaderModifier, RequestHeaderModifier__Output as _io_linkerd_proxy_http_route_RequestHeaderModifier__Output } from '../../../../io/linkerd/proxy/http_route/RequestHeaderModifier.js';

export interface _io_linkerd_proxy_inbound_GrpcRoute_Filter {
  'failureInjector'?: (_io_linkerd_proxy_grpc_route_GrpcFailureInjector | null);
  'requestHeaderModifier'?: (_io_linkerd_proxy_http_route_RequestHeaderModifier | null);
  'kind'?: "failureInjector"|"requestHeaderModifier";
}

export interface _io_linkerd_proxy_inbound_GrpcRoute_Filter__Output {
  'failureInjector'?: (_io_linkerd_proxy_grpc_route_GrpcFailureInjector__Output | null);
  'requestHeaderModifier'?: (_io_linkerd_proxy_http_route_RequestHeaderModifier__Output | null);
  'kind'?: "failureInjector"|"requestHeaderModifier";
}

export interface _io_linkerd_proxy_inbound_GrpcRoute_Rule {
  'matches'?: (_io_linkerd_proxy_grpc_route_GrpcRouteMatch)[];
  'filters'?: (_io_linkerd_proxy_inbound_GrpcRoute_Filter)[];
}

export interface _io_linkerd_proxy_inbound_GrpcRoute_Rule__Output {
  'matches': (_io_linkerd_proxy_grpc_route_GrpcRouteMatch__Output)[];
  'filters': (_io_linkerd_proxy_inbound_GrpcRoute_Filter__Output)[];
}

export interface GrpcRoute {
  'metadata'?: (_io_linkerd_proxy_meta_Metadata | null);
  'hosts'?: (_io_linkerd_proxy_http_route_HostMatch)[];
  'authorizations'?: (_io_linkerd_proxy_inbound_Authz)[];
  'rules'?: (_io_linkerd_proxy_inbound_GrpcRoute_Rule)[];
}

export interface GrpcRoute__Output {
  'metadata': (_io_linkerd_proxy_meta_Metadata__Output | null);
  'hosts': (_io_linkerd_proxy_http_route_HostMatch__Output)[];
  'authorizations': (_io_linkerd_proxy_inbound_Authz__Output)[];
  'rules': (_io_linkerd_proxy_inbound_GrpcRoute_Rule__Output)[];
}
