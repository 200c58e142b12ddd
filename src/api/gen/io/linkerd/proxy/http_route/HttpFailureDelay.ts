// Original file: http_route.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../../google/protobuf/Duration.js';
import type { Ratio as _io_linkerd_proxy_http_route_Ratio, Ratio__Output as _io_linkerd_proxy_http_route_Ratio__Output } from '../../../../io/linkerd/proxy/http_route/Ratio.js';

export interface HttpFailureDelay {
  'delay'?: (_google_protobuf_Duration | null);
  'ratio'?: (_io_linkerd_proxy_http_route_Ratio | null);
}

export interface HttpFailureDelay__Output {
  'delay': (_google_protobuf_Duration__Output | null);
  'ratio': (_io_linkerd_proxy_http_route_Ratio__Output | null);
}
