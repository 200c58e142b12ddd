// Original file: destination.proto

import type { RequestMatch as _io_linkerd_proxy_destination_RequestMatch, RequestMatch__Output as _io_linkerd_proxy_destination_RequestMatch__Output } from '../../../../io/linkerd/proxy/destination/RequestMatch.js';
import type { ResponseClass as _io_linkerd_proxy_destination_ResponseClass, ResponseClass__Output as _io_linkerd_proxy_destination_ResponseClass__Output } from '../../../../io/linkerd/proxy/destination/ResponseClass.js';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../../google/protobuf/Duration.js';

export interface Route {
  'condition'?: (_io_linkerd_proxy_destination_RequestMatch | null);
  'responseClasses'?: (_io_linkerd_proxy_destination_ResponseClass)[];
  'metricsLabels'?: ({[key: string]: string});
  'isRetryable'?: (boolean);
  'timeout'?: (_google_protobuf_Duration | null);
}

export interface Route__Output {
  'condition': (_io_linkerd_proxy_destination_RequestMatch__Output | null);
  'responseClasses': (_io_linkerd_proxy_destination_ResponseClass__Output)[];
  'metricsLabels': ({[key: string]: string});
  'isRetryable': (boolean);
  'timeout': (_google_protobuf_Duration__Output | null);
}
