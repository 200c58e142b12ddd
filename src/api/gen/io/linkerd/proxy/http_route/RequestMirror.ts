// Original file: http_route.proto

import type { Ratio as _io_linkerd_proxy_http_route_Ratio, Ratio__Output as _io_linkerd_proxy_http_route_Ratio__Output } from '../../../../io/linkerd/proxy/http_route/Ratio.js';

export interface RequestMirror {
  'authority'?: (string);
  'ratio'?: (_io_linkerd_proxy_http_route_Ratio | null);
  'name'?: (string);
  'namespace'?: (string);
  'port'?: (number);
}

export interface RequestMirror__Output {
  'authority': (string);
  'ratio': (_io_linkerd_proxy_http_route_Ratio__Output | null);
  'name': (string);
  'namespace': (string);
  'port': (number);
}
