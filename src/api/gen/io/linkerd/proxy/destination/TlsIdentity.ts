// Original file: destination.proto


export interface _io_linkerd_proxy_destination_TlsIdentity_DnsLikeIdentity {
  'name'?: (string);
}

export interface _io_linkerd_proxy_destination_TlsIdentity_DnsLikeIdentity__Output {
  'name': (string);
}

export interface _io_linkerd_proxy_destination_TlsIdentity_UriLikeIdentity {
  'uri'?: (string);
}

export interface _io_linkerd_proxy_destination_TlsIdentity_UriLikeIdentity__Output {
  'uri': (string);
}

export interface TlsIdentity {
  'dnsLikeIdentity'?: (_io_linkerd_proxy_destination_TlsIdentity_DnsLikeIdentity | null);
  'uriLikeIdentity'?: (_io_linkerd_proxy_destination_TlsIdentity_UriLikeIdentity | null);
  'serverName'?: (_io_linkerd_proxy_destination_TlsIdentity_DnsLikeIdentity | null);
  'strategy'?: "dnsLikeIdentity"|"uriLikeIdentity";
}

export interface TlsIdentity__Output {
  'dnsLikeIdentity'?: (_io_linkerd_proxy_destination_TlsIdentity_DnsLikeIdentity__Output | null);
  'uriLikeIdentity'?: (_io_linkerd_proxy_destination_TlsIdentity_UriLikeIdentity__Output | null);
  'serverName': (_io_linkerd_proxy_destination_TlsIdentity_DnsLikeIdentity__Output | null);
  'strategy'?: "dnsLikeIdentity"|"uriLikeIdentity";
}
