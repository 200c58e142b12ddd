// Original file: inbound.proto


export interface _io_linkerd_proxy_inbound_WeftJwtAuthn_Claim {
  'name'?: (string);
  'values'?: (string)[];
}

export interface _io_linkerd_proxy_inbound_WeftJwtAuthn_Claim__Output {
  'name': (string);
  'values': (string)[];
}

export interface WeftJwtAuthn {
  'issuer'?: (string);
  'audiences'?: (string)[];
  'jwksJson'?: (string);
  'jwksUrl'?: (string);
  'claims'?: (_io_linkerd_proxy_inbound_WeftJwtAuthn_Claim)[];
  'name'?: (string);
}

export interface WeftJwtAuthn__Output {
  'issuer': (string);
  'audiences': (string)[];
  'jwksJson': (string);
  'jwksUrl': (string);
  'claims': (_io_linkerd_proxy_inbound_WeftJwtAuthn_Claim__Output)[];
  'name': (string);
}
