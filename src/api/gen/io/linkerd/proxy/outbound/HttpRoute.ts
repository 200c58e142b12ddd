// Original file: outbound.proto

import type { Metadata as _io_linkerd_proxy_meta_Metadata, Metadata__Output as _io_linkerd_proxy_meta_Metadata__Output } from '../../../../io/linkerd/proxy/meta/Metadata.js';
import type { HostMatch as _io_linkerd_proxy_http_route_HostMatch, HostMatch__Output as _io_linkerd_proxy_http_route_HostMatch__Output } from '../../../../io/linkerd/proxy/http_route/HostMatch.js';
import type { RouteRateLimit as _io_linkerd_proxy_outbound_RouteRateLimit, RouteRateLimit__Output as _io_linkerd_proxy_outbound_RouteRateLimit__Output } from '../../../../io/linkerd/proxy/outbound/RouteRateLimit.js';
import type { HttpRouteMatch as _io_linkerd_proxy_http_route_HttpRouteMatch, HttpRouteMatch__Output as _io_linkerd_proxy_http_route_HttpRouteMatch__Output } from '../../../../io/linkerd/proxy/http_route/HttpRouteMatch.js';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../../google/protobuf/Duration.js';
import type { Timeouts as _io_linkerd_proxy_http_route_Timeouts, Timeouts__Output as _io_linkerd_proxy_http_route_Timeouts__Output } from '../../../../io/linkerd/proxy/http_route/Timeouts.js';
import type { HttpFailureInjector as _io_linkerd_proxy_http_route_HttpFailureInjector, HttpFailureInjector__Output as _io_linkerd_proxy_http_route_HttpFailureInjector__Output } from '../../../../io/linkerd/proxy/http_route/HttpFailureInjector.js';
import type { RequestHeaderModifier as _io_linkerd_proxy_http_route_RequestHeaderModifier, RequestHeaderModifier__Output as _io_linkerd_proxy_http_route_RequestHeaderModifier__Output } from '../../../../io/linkerd/proxy/http_route/RequestHeaderModifier.js';
import type { RequestRedirect as _io_linkerd_proxy_http_route_RequestRedirect, RequestRedirect__Output as _io_linkerd_proxy_http_route_RequestRedirect__Output } from '../../../../io/linkerd/proxy/http_route/RequestRedirect.js';
import type { ResponseHeaderModifier as _io_linkerd_proxy_http_route_ResponseHeaderModifier, ResponseHeaderModifier__Output as _io_linkerd_proxy_http_route_ResponseHeaderModifier__Output } from '../../../../io/linkerd/proxy/http_route/ResponseHeaderModifier.js';
import type { UrlRewrite as _io_linkerd_proxy_http_route_UrlRewrite, UrlRewrite__Output as _io_linkerd_proxy_http_route_UrlRewrite__Output } from '../../../../io/linkerd/proxy/http_route/UrlRewrite.js';
import type { HttpFailureDelay as _io_linkerd_proxy_http_route_HttpFailureDelay, HttpFailureDelay__Output as _io_linkerd_proxy_http_route_HttpFailureDelay__Output } from '../../../../io/linkerd/proxy/http_route/HttpFailureDelay.js';
import type { RequestMirror as _io_linkerd_proxy_http_route_RequestMirror, RequestMirror__Output as _io_linkerd_proxy_http_route_RequestMirror__Output } from '../../../../io/linkerd/proxy/http_route/RequestMirror.js';
import type { ExponentialBackoff as _io_linkerd_proxy_outbound_ExponentialBackoff, ExponentialBackoff__Output as _io_linkerd_proxy_outbound_ExponentialBackoff__Output } from '../../../../io/linkerd/proxy/outbound/ExponentialBackoff.js';
import type { Backend as _io_linkerd_proxy_outbound_Backend, Backend__Output as _io_linkerd_proxy_outbound_Backend__Output } from '../../../../io/linkerd/proxy/outbound/Backend.js';

export interface _io_linkerd_proxy_outbound_HttpRoute_Retry_Conditions {
  'statusRanges'?: (_io_linkerd_proxy_outbound_HttpRoute_Retry_Conditions_StatusRange)[];
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Retry_Conditions__Output {
  'statusRanges': (_io_linkerd_proxy_outbound_HttpRoute_Retry_Conditions_StatusRange__Output)[];
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Distribution {
  'empty'?: (_io_linkerd_proxy_outbound_HttpRoute_Distribution_Empty | null);
  'firstAvailable'?: (_io_linkerd_proxy_outbound_HttpRoute_Distribution_FirstAvailable | null);
  'randomAvailable'?: (_io_linkerd_proxy_outbound_HttpRoute_Distribution_RandomAvailable | null);
  'kind'?: "empty"|"firstAvailable"|"randomAvailable";
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Distribution__Output {
  'empty'?: (_io_linkerd_proxy_outbound_HttpRoute_Distribution_Empty__Output | null);
  'firstAvailable'?: (_io_linkerd_proxy_outbound_HttpRoute_Distribution_FirstAvailable__Output | null);
  'randomAvailable'?: (_io_linkerd_proxy_outbound_HttpRoute_Distribution_RandomAvailable__Output | null);
  'kind'?: "empty"|"firstAvailable"|"randomAvailable";
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Distribution_Empty {
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Distribution_Empty__Output {
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Filter {
  'failureInjector'?: (_io_linkerd_proxy_http_route_HttpFailureInjector | null);
  'requestHeaderModifier'?: (_io_linkerd_proxy_http_route_RequestHeaderModifier | null);
  'redirect'?: (_io_linkerd_proxy_http_route_RequestRedirect | null);
  'responseHeaderModifier'?: (_io_linkerd_proxy_http_route_ResponseHeaderModifier | null);
  'urlRewrite'?: (_io_linkerd_proxy_http_route_UrlRewrite | null);
  'failureDelay'?: (_io_linkerd_proxy_http_route_HttpFailureDelay | null);
  'requestMirror'?: (_io_linkerd_proxy_http_route_RequestMirror | null);
  'kind'?: "failureInjector"|"requestHeaderModifier"|"redirect"|"responseHeaderModifier"|"urlRewrite"|"failureDelay"|"requestMirror";
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Filter__Output {
  'failureInjector'?: (_io_linkerd_proxy_http_route_HttpFailureInjector__Output | null);
  'requestHeaderModifier'?: (_io_linkerd_proxy_http_route_RequestHeaderModifier__Output | null);
  'redirect'?: (_io_linkerd_proxy_http_route_RequestRedirect__Output | null);
  'responseHeaderModifier'?: (_io_linkerd_proxy_http_route_ResponseHeaderModifier__Output | null);
  'urlRewrite'?: (_io_linkerd_proxy_http_route_UrlRewrite__Output | null);
  'failureDelay'?: (_io_linkerd_proxy_http_route_HttpFailureDelay__Output | null);
  'requestMirror'?: (_io_linkerd_proxy_http_route_RequestMirror__Output | null);
  'kind'?: "failureInjector"|"requestHeaderModifier"|"redirect"|"responseHeaderModifier"|"urlRewrite"|"failureDelay"|"requestMirror";
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Distribution_FirstAvailable {
  'backends'?: (_io_linkerd_proxy_outbound_HttpRoute_RouteBackend)[];
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Distribution_FirstAvailable__Output {
  'backends': (_io_linkerd_proxy_outbound_HttpRoute_RouteBackend__Output)[];
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Distribution_RandomAvailable {
  'backends'?: (_io_linkerd_proxy_outbound_HttpRoute_WeightedRouteBackend)[];
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Distribution_RandomAvailable__Output {
  'backends': (_io_linkerd_proxy_outbound_HttpRoute_WeightedRouteBackend__Output)[];
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Retry {
  'maxRetries'?: (number);
  'maxRequestBytes'?: (number);
  'conditions'?: (_io_linkerd_proxy_outbound_HttpRoute_Retry_Conditions | null);
  'timeout'?: (_google_protobuf_Duration | null);
  'backoff'?: (_io_linkerd_proxy_outbound_ExponentialBackoff | null);
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Retry__Output {
  'maxRetries': (number);
  'maxRequestBytes': (number);
  'conditions': (_io_linkerd_proxy_outbound_HttpRoute_Retry_Conditions__Output | null);
  'timeout': (_google_protobuf_Duration__Output | null);
  'backoff': (_io_linkerd_proxy_outbound_ExponentialBackoff__Output | null);
}

export interface _io_linkerd_proxy_outbound_HttpRoute_RouteBackend {
  'backend'?: (_io_linkerd_proxy_outbound_Backend | null);
  'filters'?: (_io_linkerd_proxy_outbound_HttpRoute_Filter)[];
  'requestTimeout'?: (_google_protobuf_Duration | null);
}

export interface _io_linkerd_proxy_outbound_HttpRoute_RouteBackend__Output {
  'backend': (_io_linkerd_proxy_outbound_Backend__Output | null);
  'filters': (_io_linkerd_proxy_outbound_HttpRoute_Filter__Output)[];
  'requestTimeout': (_google_protobuf_Duration__Output | null);
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Rule {
  'matches'?: (_io_linkerd_proxy_http_route_HttpRouteMatch)[];
  'filters'?: (_io_linkerd_proxy_outbound_HttpRoute_Filter)[];
  'backends'?: (_io_linkerd_proxy_outbound_HttpRoute_Distribution | null);
  'requestTimeout'?: (_google_protobuf_Duration | null);
  'timeouts'?: (_io_linkerd_proxy_http_route_Timeouts | null);
  'retry'?: (_io_linkerd_proxy_outbound_HttpRoute_Retry | null);
  'allowL5dRequestHeaders'?: (boolean);
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Rule__Output {
  'matches': (_io_linkerd_proxy_http_route_HttpRouteMatch__Output)[];
  'filters': (_io_linkerd_proxy_outbound_HttpRoute_Filter__Output)[];
  'backends': (_io_linkerd_proxy_outbound_HttpRoute_Distribution__Output | null);
  'requestTimeout': (_google_protobuf_Duration__Output | null);
  'timeouts': (_io_linkerd_proxy_http_route_Timeouts__Output | null);
  'retry': (_io_linkerd_proxy_outbound_HttpRoute_Retry__Output | null);
  'allowL5dRequestHeaders': (boolean);
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Retry_Conditions_StatusRange {
  'start'?: (number);
  'end'?: (number);
}

export interface _io_linkerd_proxy_outbound_HttpRoute_Retry_Conditions_StatusRange__Output {
  'start': (number);
  'end': (number);
}

export interface _io_linkerd_proxy_outbound_HttpRoute_WeightedRouteBackend {
  'backend'?: (_io_linkerd_proxy_outbound_HttpRoute_RouteBackend | null);
  'weight'?: (number);
}

export interface _io_linkerd_proxy_outbound_HttpRoute_WeightedRouteBackend__Output {
  'backend': (_io_linkerd_proxy_outbound_HttpRoute_RouteBackend__Output | null);
  'weight': (number);
}

export interface HttpRoute {
  'metadata'?: (_io_linkerd_proxy_meta_Metadata | null);
  'hosts'?: (_io_linkerd_proxy_http_route_HostMatch)[];
  'rules'?: (_io_linkerd_proxy_outbound_HttpRoute_Rule)[];
  'rateLimit'?: (_io_linkerd_proxy_outbound_RouteRateLimit | null);
}

export interface HttpRoute__Output {
  'metadata': (_io_linkerd_proxy_meta_Metadata__Output | null);
  'hosts': (_io_linkerd_proxy_http_route_HostMatch__Output)[];
  'rules': (_io_linkerd_proxy_outbound_HttpRoute_Rule__Output)[];
  'rateLimit': (_io_linkerd_proxy_outbound_RouteRateLimit__Output | null);
}
