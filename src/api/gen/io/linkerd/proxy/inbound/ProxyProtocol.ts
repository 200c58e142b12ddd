// Original file: inbound.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../../google/protobuf/Duration.js';
import type { HttpRoute as _io_linkerd_proxy_inbound_HttpRoute, HttpRoute__Output as _io_linkerd_proxy_inbound_HttpRoute__Output } from '../../../../io/linkerd/proxy/inbound/HttpRoute.js';
import type { HttpLocalRateLimit as _io_linkerd_proxy_inbound_HttpLocalRateLimit, HttpLocalRateLimit__Output as _io_linkerd_proxy_inbound_HttpLocalRateLimit__Output } from '../../../../io/linkerd/proxy/inbound/HttpLocalRateLimit.js';
import type { GrpcRoute as _io_linkerd_proxy_inbound_GrpcRoute, GrpcRoute__Output as _io_linkerd_proxy_inbound_GrpcRoute__Output } from '../../../../io/linkerd/proxy/inbound/GrpcRoute.js';

export interface _io_linkerd_proxy_inbound_ProxyProtocol_Detect {
  'timeout'?: (_google_protobuf_Duration | null);
  'httpRoutes'?: (_io_linkerd_proxy_inbound_HttpRoute)[];
  'httpLocalRateLimit'?: (_io_linkerd_proxy_inbound_HttpLocalRateLimit | null);
}

export interface _io_linkerd_proxy_inbound_ProxyProtocol_Detect__Output {
  'timeout': (_google_protobuf_Duration__Output | null);
  'httpRoutes': (_io_linkerd_proxy_inbound_HttpRoute__Output)[];
  'httpLocalRateLimit': (_io_linkerd_proxy_inbound_HttpLocalRateLimit__Output | null);
}

export interface _io_linkerd_proxy_inbound_ProxyProtocol_Grpc {
  'routes'?: (_io_linkerd_proxy_inbound_GrpcRoute)[];
}

export interface _io_linkerd_proxy_inbound_ProxyProtocol_Grpc__Output {
  'routes': (_io_linkerd_proxy_inbound_GrpcRoute__Output)[];
}

export interface _io_linkerd_proxy_inbound_ProxyProtocol_Http1 {
  'routes'?: (_io_linkerd_proxy_inbound_HttpRoute)[];
  'localRateLimit'?: (_io_linkerd_proxy_inbound_HttpLocalRateLimit | null);
}

export interface _io_linkerd_proxy_inbound_ProxyProtocol_Http1__Output {
  'routes': (_io_linkerd_proxy_inbound_HttpRoute__Output)[];
  'localRateLimit': (_io_linkerd_proxy_inbound_HttpLocalRateLimit__Output | null);
}

export interface _io_linkerd_proxy_inbound_ProxyProtocol_Http2 {
  'routes'?: (_io_linkerd_proxy_inbound_HttpRoute)[];
  'localRateLimit'?: (_io_linkerd_proxy_inbound_HttpLocalRateLimit | null);
}

export interface _io_linkerd_proxy_inbound_ProxyProtocol_Http2__Output {
  'routes': (_io_linkerd_proxy_inbound_HttpRoute__Output)[];
  'localRateLimit': (_io_linkerd_proxy_inbound_HttpLocalRateLimit__Output | null);
}

export interface _io_linkerd_proxy_inbound_ProxyProtocol_Opaque {
}

export interface _io_linkerd_proxy_inbound_ProxyProtocol_Opaque__Output {
}

export interface _io_linkerd_proxy_inbound_ProxyProtocol_Tls {
}

export interface _io_linkerd_proxy_inbound_ProxyProtocol_Tls__Output {
}

export interface ProxyProtocol {
  'detect'?: (_io_linkerd_proxy_inbound_ProxyProtocol_Detect | null);
  'opaque'?: (_io_linkerd_proxy_inbound_ProxyProtocol_Opaque | null);
  'tls'?: (_io_linkerd_proxy_inbound_ProxyProtocol_Tls | null);
  'http1'?: (_io_linkerd_proxy_inbound_ProxyProtocol_Http1 | null);
  'http2'?: (_io_linkerd_proxy_inbound_ProxyProtocol_Http2 | null);
  'grpc'?: (_io_linkerd_proxy_inbound_ProxyProtocol_Grpc | null);
  'kind'?: "detect"|"opaque"|"tls"|"http1"|"http2"|"grpc";
}

export interface ProxyProtocol__Output {
  'detect'?: (_io_linkerd_proxy_inbound_ProxyProtocol_Detect__Output | null);
  'opaque'?: (_io_linkerd_proxy_inbound_ProxyProtocol_Opaque__Output | null);
  'tls'?: (_io_linkerd_proxy_inbound_ProxyProtocol_Tls__Output | null);
  'http1'?: (_io_linkerd_proxy_inbound_ProxyProtocol_Http1__Output | null);
  'http2'?: (_io_linkerd_proxy_inbound_ProxyProtocol_Http2__Output | null);
  'grpc'?: (_io_linkerd_proxy_inbound_ProxyProtocol_Grpc__Output | null);
  'kind'?: "detect"|"opaque"|"tls"|"http1"|"http2"|"grpc";
}
