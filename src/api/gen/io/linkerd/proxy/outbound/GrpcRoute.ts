// Original file: outbound.proto

import type { Metadata as _io_linkerd_proxy_meta_Metadata, Metadata__Output as _io_linkerd_proxy_meta_Metadata__Output } from '../../../../io/linkerd/proxy/meta/Metadata.js';
import type { HostMatch as _io_linkerd_proxy_http_route_HostMatch, HostMatch__Output as _io_linkerd_proxy_http_route_HostMatch__Output } from '../../../../io/linkerd/proxy/http_route/HostMatch.js';
import type { RouteRateLimit as _io_linkerd_proxy_outbound_RouteRateLimit, RouteRateLimit__Output as _io_linkerd_proxy_outbound_RouteRateLimit__Output } from '../../../../io/linkerd/proxy/outbound/RouteRateLimit.js';
import type { GrpcRouteMatch as _io_linkerd_proxy_grpc_route_GrpcRouteMatch, GrpcRouteMatch__Output as _io_linkerd_proxy_grpc_route_GrpcRouteMatch__Output } from '../../../../io/linkerd/proxy/grpc_route/GrpcRouteMatch.js';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../../google/protobuf/Duration.js';
import type { Timeouts as _io_linkerd_proxy_http_route_Timeouts, Timeouts__Output as _io_linkerd_proxy_http_route_Timeouts__Output } from '../../../../io/linkerd/proxy/http_route/Timeouts.js';
import type { GrpcFailureInjector as _io_linkerd_proxy_grpc_route_GrpcFailureInjector, GrpcFailureInjector__Output as _io_linkerd_proxy_grpc_route_GrpcFailureInjector__Output } from '../../../../io/linkerd/proxy/grpc_route/GrpcFailureInjector.js';
import type { RequestHeaderModifier as _io_linkerd_proxy_http_route_RequestHeaderModifier, RequestHeaderModifier__Output as _io_linkerd_proxy_http_route_RequestHeaderModifier__Output } from '../../../../io/linkerd/proxy/http_route/RequestHeaderModifier.js';
import type { HttpFailureDelay as _io_linkerd_proxy_http_route_HttpFailureDelay, HttpFailureDelay__Output as _io_linkerd_proxy_http_route_HttpFailureDelay__Output } from '../../../../io/linkerd/proxy/http_route/HttpFailureDelay.js';
import type { ExponentialBackoff as _io_linkerd_proxy_outbound_ExponentialBackoff, ExponentialBackoff__Output as _io_linkerd_proxy_outbound_ExponentialBackoff__Output } from '../../../../io/linkerd/proxy/outbound/ExponentialBackoff.js';
import type { Backend as _io_linkerd_proxy_outbound_Backend, Backend__Output as _io_linkerd_proxy_outbound_Backend__Output } from '../../../../io/linkerd/proxy/outbound/Backend.js';

export interface _io_linkerd_proxy_outbound_GrpcRoute_Retry_Conditions {
  'cancelled'?: (boolean);
  'deadineExceeded'?: (boolean);
  'resourceExhausted'?: (boolean);
  'internal'?: (boolean);
  'unavailable'?: (boolean);
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Retry_Conditions__Output {
  'cancelled': (boolean);
  'deadineExceeded': (boolean);
  'resourceExhausted': (boolean);
  'internal': (boolean);
  'unavailable': (boolean);
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Distribution {
  'empty'?: (_io_linkerd_proxy_outbound_GrpcRoute_Distribution_Empty | null);
  'firstAvailable'?: (_io_linkerd_proxy_outbound_GrpcRoute_Distribution_FirstAvailable | null);
  'randomAvailable'?: (_io_linkerd_proxy_outbound_GrpcRoute_Distribution_RandomAvailable | null);
  'kind'?: "empty"|"firstAvailable"|"randomAvailable";
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Distribution__Output {
  'empty'?: (_io_linkerd_proxy_outbound_GrpcRoute_Distribution_Empty__Output | null);
  'firstAvailable'?: (_io_linkerd_proxy_outbound_GrpcRoute_Distribution_FirstAvailable__Output | null);
  'randomAvailable'?: (_io_linkerd_proxy_outbound_GrpcRoute_Distribution_RandomAvailable__Output | null);
  'kind'?: "empty"|"firstAvailable"|"randomAvailable";
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Distribution_Empty {
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Distribution_Empty__Output {
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Filter {
  'failureInjector'?: (_io_linkerd_proxy_grpc_route_GrpcFailureInjector | null);
  'requestHeaderModifier'?: (_io_linkerd_proxy_http_route_RequestHeaderModifier | null);
  'failureDelay'?: (_io_linkerd_proxy_http_route_HttpFailureDelay | null);
  'kind'?: "failureInjector"|"requestHeaderModifier"|"failureDelay";
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Filter__Output {
  'failureInjector'?: (_io_linkerd_proxy_grpc_route_GrpcFailureInjector__Output | null);
  'requestHeaderModifier'?: (_io_linkerd_proxy_http_route_RequestHeaderModifier__Output | null);
  'failureDelay'?: (_io_linkerd_proxy_http_route_HttpFailureDelay__Output | null);
  'kind'?: "failureInjector"|"requestHeaderModifier"|"failureDelay";
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Distribution_FirstAvailable {
  'backends'?: (_io_linkerd_proxy_outbound_GrpcRoute_RouteBackend)[];
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Distribution_FirstAvailable__Output {
  'backends': (_io_linkerd_proxy_outbound_GrpcRoute_RouteBackend__Output)[];
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Distribution_RandomAvailable {
  'backends'?: (_io_linkerd_proxy_outbound_GrpcRoute_WeightedRouteBackend)[];
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Distribution_RandomAvailable__Output {
  'backends': (_io_linkerd_proxy_outbound_GrpcRoute_WeightedRouteBackend__Output)[];
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Retry {
  'maxRetries'?: (number);
  'maxRequestBytes'?: (number);
  'conditions'?: (_io_linkerd_proxy_outbound_GrpcRoute_Retry_Conditions | null);
  'timeout'?: (_google_protobuf_Duration | null);
  'backoff'?: (_io_linkerd_proxy_outbound_ExponentialBackoff | null);
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Retry__Output {
  'maxRetries': (number);
  'maxRequestBytes': (number);
  'conditions': (_io_linkerd_proxy_outbound_GrpcRoute_Retry_Conditions__Output | null);
  'timeout': (_google_protobuf_Duration__Output | null);
  'backoff': (_io_linkerd_proxy_outbound_ExponentialBackoff__Output | null);
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_RouteBackend {
  'backend'?: (_io_linkerd_proxy_outbound_Backend | null);
  'filters'?: (_io_linkerd_proxy_outbound_GrpcRoute_Filter)[];
  'requestTimeout'?: (_google_protobuf_Duration | null);
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_RouteBackend__Output {
  'backend': (_io_linkerd_proxy_outbound_Backend__Output | null);
  'filters': (_io_linkerd_proxy_outbound_GrpcRoute_Filter__Output)[];
  'requestTimeout': (_google_protobuf_Duration__Output | null);
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Rule {
  'matches'?: (_io_linkerd_proxy_grpc_route_GrpcRouteMatch)[];
  'filters'?: (_io_linkerd_proxy_outbound_GrpcRoute_Filter)[];
  'backends'?: (_io_linkerd_proxy_outbound_GrpcRoute_Distribution | null);
  'requestTimeout'?: (_google_protobuf_Duration | null);
  'timeouts'?: (_io_linkerd_proxy_http_route_Timeouts | null);
  'retry'?: (_io_linkerd_proxy_outbound_GrpcRoute_Retry | null);
  'allowL5dRequestHeaders'?: (boolean);
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_Rule__Output {
  'matches': (_io_linkerd_proxy_grpc_route_GrpcRouteMatch__Output)[];
  'filters': (_io_linkerd_proxy_outbound_GrpcRoute_Filter__Output)[];
  'backends': (_io_linkerd_proxy_outbound_GrpcRoute_Distribution__Output | null);
  'requestTimeout': (_google_protobuf_Duration__Output | null);
  'timeouts': (_io_linkerd_proxy_http_route_Timeouts__Output | null);
  'retry': (_io_linkerd_proxy_outbound_GrpcRoute_Retry__Output | null);
  'allowL5dRequestHeaders': (boolean);
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_WeightedRouteBackend {
  'backend'?: (_io_linkerd_proxy_outbound_GrpcRoute_RouteBackend | null);
  'weight'?: (number);
}

export interface _io_linkerd_proxy_outbound_GrpcRoute_WeightedRouteBackend__Output {
  'backend': (_io_linkerd_proxy_outbound_GrpcRoute_RouteBackend__Output | null);
  'weight': (number);
}

export interface GrpcRoute {
  'metadata'?: (_io_linkerd_proxy_meta_Metadata | null);
  'hosts'?: (_io_linkerd_proxy_http_route_HostMatch)[];
  'rules'?: (_io_linkerd_proxy_outbound_GrpcRoute_Rule)[];
  'rateLimit'?: (_io_linkerd_proxy_outbound_RouteRateLimit | null);
}

export interface GrpcRoute__Output {
  'metadata': (_io_linkerd_proxy_meta_Metadata__Output | null);
  'hosts': (_io_linkerd_proxy_http_route_HostMatch__Output)[];
  'rules': (_io_linkerd_proxy_outbound_GrpcRoute_Rule__Output)[];
  'rateLimit': (_io_linkerd_proxy_outbound_RouteRateLimit__Output | null);
}
