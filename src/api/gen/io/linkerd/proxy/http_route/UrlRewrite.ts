// Original file: http_route.proto

import type { PathModifier as _io_linkerd_proxy_http_route_PathModifier, PathModifier__Output as _io_linkerd_proxy_http_route_PathModifier__Output } from '../../../../io/linkerd/proxy/http_route/PathModifier.js';

export interface UrlRewrite {
  'host'?: (string);
  'path'?: (_io_linkerd_proxy_http_route_PathModifier | null);
}

export interface UrlRewrite__Output {
  'host': (string);
  'path': (_io_linkerd_proxy_http_route_PathModifier__Output | null);
}
