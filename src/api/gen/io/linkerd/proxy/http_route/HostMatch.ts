// Original file: http_route.proto


export interface _io_linkerd_proxy_http_route_HostMatch_Suffix {
  'reverseLabels'?: (string)[];
}

export interface _io_linkerd_proxy_http_route_HostMatch_Suffix__Output {
  'reverseLabels': (string)[];
}

export interface HostMatch {
  'exact'?: (string);
  'suffix'?: (_io_linkerd_proxy_http_route_HostMatch_Suffix | null);
  'match'?: "exact"|"suffix";
}

export interface HostMatch__Output {
  'exact'?: (string);
  'suffix'?: (_io_linkerd_proxy_http_route_HostMatch_Suffix__Output | null);
  'match'?: "exact"|"suffix";
}
