// Original file: tap.proto

import type { IPAddress as _io_linkerd_proxy_net_IPAddress, IPAddress__Output as _io_linkerd_proxy_net_IPAddress__Output } from '../../../../io/linkerd/proxy/net/IPAddress.js';
import type { Scheme as _io_linkerd_proxy_http_types_Scheme, Scheme__Output as _io_linkerd_proxy_http_types_Scheme__Output } from '../../../../io/linkerd/proxy/http_types/Scheme.js';
import type { HttpMethod as _io_linkerd_proxy_http_types_HttpMethod, HttpMethod__Output as _io_linkerd_proxy_http_types_HttpMethod__Output } from '../../../../io/linkerd/proxy/http_types/HttpMethod.js';

export interface _io_linkerd_proxy_tap_ObserveRequest_Extract {
  'http'?: (_io_linkerd_proxy_tap_ObserveRequest_Extract_Http | null);
  'extract'?: "http";
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Extract__Output {
  'http'?: (_io_linkerd_proxy_tap_ObserveRequest_Extract_Http__Output | null);
  'extract'?: "http";
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Extract_Http_Headers {
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Extract_Http_Headers__Output {
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Http {
  'scheme'?: (_io_linkerd_proxy_http_types_Scheme | null);
  'method'?: (_io_linkerd_proxy_http_types_HttpMethod | null);
  'authority'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Http_StringMatch | null);
  'path'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Http_StringMatch | null);
  'match'?: "scheme"|"method"|"authority"|"path";
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Http__Output {
  'scheme'?: (_io_linkerd_proxy_http_types_Scheme__Output | null);
  'method'?: (_io_linkerd_proxy_http_types_HttpMethod__Output | null);
  'authority'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Http_StringMatch__Output | null);
  'path'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Http_StringMatch__Output | null);
  'match'?: "scheme"|"method"|"authority"|"path";
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Extract_Http {
  'headers'?: (_io_linkerd_proxy_tap_ObserveRequest_Extract_Http_Headers | null);
  'extract'?: "headers";
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Extract_Http__Output {
  'headers'?: (_io_linkerd_proxy_tap_ObserveRequest_Extract_Http_Headers__Output | null);
  'extract'?: "headers";
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Label {
  'key'?: (string);
  'value'?: (string);
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Label__Output {
  'key': (string);
  'value': (string);
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match {
  'all'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Seq | null);
  'any'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Seq | null);
  'not'?: (_io_linkerd_proxy_tap_ObserveRequest_Match | null);
  'source'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Tcp | null);
  'destination'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Tcp | null);
  'http'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Http | null);
  'destinationLabel'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Label | null);
  'routeLabel'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Label | null);
  'match'?: "all"|"any"|"not"|"source"|"destination"|"http"|"destinationLabel"|"routeLabel";
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match__Output {
  'all'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Seq__Output | null);
  'any'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Seq__Output | null);
  'not'?: (_io_linkerd_proxy_tap_ObserveRequest_Match__Output | null);
  'source'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Tcp__Output | null);
  'destination'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Tcp__Output | null);
  'http'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Http__Output | null);
  'destinationLabel'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Label__Output | null);
  'routeLabel'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Label__Output | null);
  'match'?: "all"|"any"|"not"|"source"|"destination"|"http"|"destinationLabel"|"routeLabel";
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Tcp_Netmask {
  'ip'?: (_io_linkerd_proxy_net_IPAddress | null);
  'mask'?: (number);
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Tcp_Netmask__Output {
  'ip': (_io_linkerd_proxy_net_IPAddress__Output | null);
  'mask': (number);
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Tcp_PortRange {
  'min'?: (number);
  'max'?: (number);
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Tcp_PortRange__Output {
  'min': (number);
  'max': (number);
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Seq {
  'matches'?: (_io_linkerd_proxy_tap_ObserveRequest_Match)[];
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Seq__Output {
  'matches': (_io_linkerd_proxy_tap_ObserveRequest_Match__Output)[];
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Http_StringMatch {
  'exact'?: (string);
  'prefix'?: (string);
  'match'?: "exact"|"prefix";
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Http_StringMatch__Output {
  'exact'?: (string);
  'prefix'?: (string);
  'match'?: "exact"|"prefix";
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Tcp {
  'netmask'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Tcp_Netmask | null);
  'ports'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Tcp_PortRange | null);
  'match'?: "netmask"|"ports";
}

export interface _io_linkerd_proxy_tap_ObserveRequest_Match_Tcp__Output {
  'netmask'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Tcp_Netmask__Output | null);
  'ports'?: (_io_linkerd_proxy_tap_ObserveRequest_Match_Tcp_PortRange__Output | null);
  'match'?: "netmask"|"ports";
}

export interface ObserveRequest {
  'limit'?: (number);
  'match'?: (_io_linkerd_proxy_tap_ObserveRequest_Match | null);
  'extract'?: (_io_linkerd_proxy_tap_ObserveRequest_Extract | null);
}

export interface ObserveRequest__Output {
  'limit': (number);
  'match': (_io_linkerd_proxy_tap_ObserveRequest_Match__Output | null);
  'extract': (_io_linkerd_proxy_tap_ObserveRequest_Extract__Output | null);
}
