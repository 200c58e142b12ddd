// Original file: tap.proto

import type { TcpAddress as _io_linkerd_proxy_net_TcpAddress, TcpAddress__Output as _io_linkerd_proxy_net_TcpAddress__Output } from '../../../../io/linkerd/proxy/net/TcpAddress.js';
import type { HttpMethod as _io_linkerd_proxy_http_types_HttpMethod, HttpMethod__Output as _io_linkerd_proxy_http_types_HttpMethod__Output } from '../../../../io/linkerd/proxy/http_types/HttpMethod.js';
import type { Scheme as _io_linkerd_proxy_http_types_Scheme, Scheme__Output as _io_linkerd_proxy_http_types_Scheme__Output } from '../../../../io/linkerd/proxy/http_types/Scheme.js';
import type { Headers as _io_linkerd_proxy_http_types_Headers, Headers__Output as _io_linkerd_proxy_http_types_Headers__Output } from '../../../../io/linkerd/proxy/http_types/Headers.js';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../../google/protobuf/Duration.js';
import type { Eos as _io_linkerd_proxy_tap_Eos, Eos__Output as _io_linkerd_proxy_tap_Eos__Output } from '../../../../io/linkerd/proxy/tap/Eos.js';
import type { Long } from '@grpc/proto-loader';

export interface _io_linkerd_proxy_tap_TapEvent_EndpointMeta {
  'labels'?: ({[key: string]: string});
}

export interface _io_linkerd_proxy_tap_TapEvent_EndpointMeta__Output {
  'labels': ({[key: string]: string});
}

export interface _io_linkerd_proxy_tap_TapEvent_Http {
  'requestInit'?: (_io_linkerd_proxy_tap_TapEvent_Http_RequestInit | null);
  'responseInit'?: (_io_linkerd_proxy_tap_TapEvent_Http_ResponseInit | null);
  'responseEnd'?: (_io_linkerd_proxy_tap_TapEvent_Http_ResponseEnd | null);
  'event'?: "requestInit"|"responseInit"|"responseEnd";
}

export interface _io_linkerd_proxy_tap_TapEvent_Http__Output {
  'requestInit'?: (_io_linkerd_proxy_tap_TapEvent_Http_RequestInit__Output | null);
  'responseInit'?: (_io_linkerd_proxy_tap_TapEvent_Http_ResponseInit__Output | null);
  'responseEnd'?: (_io_linkerd_proxy_tap_TapEvent_Http_ResponseEnd__Output | null);
  'event'?: "requestInit"|"responseInit"|"responseEnd";
}

// Original file: tap.proto

export const _io_linkerd_proxy_tap_TapEvent_ProxyDirection = {
  UNKNOWN: 'UNKNOWN',
  INBOUND: 'INBOUND',
  OUTBOUND: 'OUTBOUND',
} as const;

export type _io_linkerd_proxy_tap_TapEvent_ProxyDirection =
  | 'UNKNOWN'
  | 0
  | 'INBOUND'
  | 1
  | 'OUTBOUND'
  | 2

export type _io_linkerd_proxy_tap_TapEvent_ProxyDirection__Output = typeof _io_linkerd_proxy_tap_TapEvent_ProxyDirection[keyof typeof _io_linkerd_proxy_tap_TapEvent_ProxyDirection]

export interface _io_linkerd_proxy_tap_TapEvent_Http_RequestInit {
  'id'?: (_io_linkerd_proxy_tap_TapEvent_Http_StreamId | null);
  'method'?: (_io_linkerd_proxy_http_types_HttpMethod | null);
  'scheme'?: (_io_linkerd_proxy_http_types_Scheme | null);
  'authority'?: (string);
  'path'?: (string);
  'headers'?: (_io_linkerd_proxy_http_types_Headers | null);
}

export interface _io_linkerd_proxy_tap_TapEvent_Http_RequestInit__Output {
  'id': (_io_linkerd_proxy_tap_TapEvent_Http_StreamId__Output | null);
  'method': (_io_linkerd_proxy_http_types_HttpMethod__Output | null);
  'scheme': (_io_linkerd_proxy_http_types_Scheme__Output | null);
  'authority': (string);
  'path': (string);
  'headers': (_io_linkerd_proxy_http_types_Headers__Output | null);
}

export interface _io_linkerd_proxy_tap_TapEvent_Http_ResponseEnd {
  'id'?: (_io_linkerd_proxy_tap_TapEvent_Http_StreamId | null);
  'sinceRequestInit'?: (_google_protobuf_Duration | null);
  'sinceResponseInit'?: (_google_protobuf_Duration | null);
  'responseBytes'?: (number | string | Long);
  'eos'?: (_io_linkerd_proxy_tap_Eos | null);
  'trailers'?: (_io_linkerd_proxy_http_types_Headers | null);
}

export interface _io_linkerd_proxy_tap_TapEvent_Http_ResponseEnd__Output {
  'id': (_io_linkerd_proxy_tap_TapEvent_Http_StreamId__Output | null);
  'sinceRequestInit': (_google_protobuf_Duration__Output | null);
  'sinceResponseInit': (_google_protobuf_Duration__Output | null);
  'responseBytes': (number);
  'eos': (_io_linkerd_proxy_tap_Eos__Output | null);
  'trailers': (_io_linkerd_proxy_http_types_Headers__Output | null);
}

export interface _io_linkerd_proxy_tap_TapEvent_Http_ResponseInit {
  'id'?: (_io_linkerd_proxy_tap_TapEvent_Http_StreamId | null);
  'sinceRequestInit'?: (_google_protobuf_Duration | null);
  'httpStatus'?: (number);
  'headers'?: (_io_linkerd_proxy_http_types_Headers | null);
}

export interface _io_linkerd_proxy_tap_TapEvent_Http_ResponseInit__Output {
  'id': (_io_linkerd_proxy_tap_TapEvent_Http_StreamId__Output | null);
  'sinceRequestInit': (_google_protobuf_Duration__Output | null);
  'httpStatus': (number);
  'headers': (_io_linkerd_proxy_http_types_Headers__Output | null);
}

export interface _io_linkerd_proxy_tap_TapEvent_RouteMeta {
  'labels'?: ({[key: string]: string});
}

export interface _io_linkerd_proxy_tap_TapEvent_RouteMeta__Output {
  'labels': ({[key: string]: string});
}

export interface _io_linkerd_proxy_tap_TapEvent_Http_StreamId {
  'base'?: (number);
  'stream'?: (number | string | Long);
}

export interface _io_linkerd_proxy_tap_TapEvent_Http_StreamId__Output {
  'base': (number);
  'stream': (number);
}

export interface TapEvent {
  'source'?: (_io_linkerd_proxy_net_TcpAddress | null);
  'destination'?: (_io_linkerd_proxy_net_TcpAddress | null);
  'http'?: (_io_linkerd_proxy_tap_TapEvent_Http | null);
  'destinationMeta'?: (_io_linkerd_proxy_tap_TapEvent_EndpointMeta | null);
  'sourceMeta'?: (_io_linkerd_proxy_tap_TapEvent_EndpointMeta | null);
  'proxyDirection'?: (_io_linkerd_proxy_tap_TapEvent_ProxyDirection);
  'routeMeta'?: (_io_linkerd_proxy_tap_TapEvent_RouteMeta | null);
  'event'?: "http";
}

export interface TapEvent__Output {
  'source': (_io_linkerd_proxy_net_TcpAddress__Output | null);
  'destination': (_io_linkerd_proxy_net_TcpAddress__Output | null);
  'http'?: (_io_linkerd_proxy_tap_TapEvent_Http__Output | null);
  'destinationMeta': (_io_linkerd_proxy_tap_TapEvent_EndpointMeta__Output | null);
  'sourceMeta': (_io_linkerd_proxy_tap_TapEvent_EndpointMeta__Output | null);
  'proxyDirection': (_io_linkerd_proxy_tap_TapEvent_ProxyDirection__Output);
  'routeMeta': (_io_linkerd_proxy_tap_TapEvent_RouteMeta__Output | null);
  'event'?: "http";
}
