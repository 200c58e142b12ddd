// Original file: inbound.proto

import type { Identity as _io_linkerd_proxy_inbound_Identity, Identity__Output as _io_linkerd_proxy_inbound_Identity__Output } from '../../../../io/linkerd/proxy/inbound/Identity.js';
import type { IdentitySuffix as _io_linkerd_proxy_inbound_IdentitySuffix, IdentitySuffix__Output as _io_linkerd_proxy_inbound_IdentitySuffix__Output } from '../../../../io/linkerd/proxy/inbound/IdentitySuffix.js';

export interface _io_linkerd_proxy_inbound_Authn_PermitMeshTLS_PermitClientIdentities {
  'identities'?: (_io_linkerd_proxy_inbound_Identity)[];
  'suffixes'?: (_io_linkerd_proxy_inbound_IdentitySuffix)[];
}

export interface _io_linkerd_proxy_inbound_Authn_PermitMeshTLS_PermitClientIdentities__Output {
  'identities': (_io_linkerd_proxy_inbound_Identity__Output)[];
  'suffixes': (_io_linkerd_proxy_inbound_IdentitySuffix__Output)[];
}

export interface _io_linkerd_proxy_inbound_Authn_PermitMeshTLS {
  'unauthenticated'?: (_io_linkerd_proxy_inbound_Authn_PermitUnauthenticated | null);
  'identities'?: (_io_linkerd_proxy_inbound_Authn_PermitMeshTLS_PermitClientIdentities | null);
  'clients'?: "unauthenticated"|"identities";
}

export interface _io_linkerd_proxy_inbound_Authn_PermitMeshTLS__Output {
  'unauthenticated'?: (_io_linkerd_proxy_inbound_Authn_PermitUnauthenticated__Output | null);
  'identities'?: (_io_linkerd_proxy_inbound_Authn_PermitMeshTLS_PermitClientIdentities__Output | null);
  'clients'?: "unauthenticated"|"identities";
}

export interface _io_linkerd_proxy_inbound_Authn_PermitUnauthenticated {
}

export interface _io_linkerd_proxy_inbound_Authn_PermitUnauthenticated__Output {
}

export interface Authn {
  'unauthenticated'?: (_io_linkerd_proxy_inbound_Authn_PermitUnauthenticated | null);
  'meshTLS'?: (_io_linkerd_proxy_inbound_Authn_PermitMeshTLS | null);
  'permit'?: "unauthenticated"|"meshTLS";
}

export interface Authn__Output {
  'unauthenticated'?: (_io_linkerd_proxy_inbound_Authn_PermitUnauthenticated__Output | null);
  'meshTLS'?: (_io_linkerd_proxy_inbound_Authn_PermitMeshTLS__Output | null);
  'permit'?: "unauthenticated"|"meshTLS";
}
