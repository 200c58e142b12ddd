import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from './google/protobuf/Duration.js';
import type { AddrSet as _io_linkerd_proxy_destination_AddrSet, AddrSet__Output as _io_linkerd_proxy_destination_AddrSet__Output } from './io/linkerd/proxy/destination/AddrSet.js';
import type { AuthorityOverride as _io_linkerd_proxy_destination_AuthorityOverride, AuthorityOverride__Output as _io_linkerd_proxy_destination_AuthorityOverride__Output } from './io/linkerd/proxy/destination/AuthorityOverride.js';
import type { DestinationClient as _io_linkerd_proxy_destination_DestinationClient, DestinationDefinition as _io_linkerd_proxy_destination_DestinationDefinition } from './io/linkerd/proxy/destination/Destination.js';
import type { DestinationProfile as _io_linkerd_proxy_destination_DestinationProfile, DestinationProfile__Output as _io_linkerd_proxy_destination_DestinationProfile__Output } from './io/linkerd/proxy/destination/DestinationProfile.js';
import type { GetDestination as _io_linkerd_proxy_destination_GetDestination, GetDestination__Output as _io_linkerd_proxy_destination_GetDestination__Output } from './io/linkerd/proxy/destination/GetDestination.js';
import type { HttpStatusRange as _io_linkerd_proxy_destination_HttpStatusRange, HttpStatusRange__Output as _io_linkerd_proxy_destination_HttpStatusRange__Output } from './io/linkerd/proxy/destination/HttpStatusRange.js';
import type { NoEndpoints as _io_linkerd_proxy_destination_NoEndpoints, NoEndpoints__Output as _io_linkerd_proxy_destination_NoEndpoints__Output } from './io/linkerd/proxy/destination/NoEndpoints.js';
import type { PathMatch as _io_linkerd_proxy_destination_PathMatch, PathMatch__Output as _io_linkerd_proxy_destination_PathMatch__Output } from './io/linkerd/proxy/destination/PathMatch.js';
import type { ProtocolHint as _io_linkerd_proxy_destination_ProtocolHint, ProtocolHint__Output as _io_linkerd_proxy_destination_ProtocolHint__Output } from './io/linkerd/proxy/destination/ProtocolHint.js';
import type { RequestMatch as _io_linkerd_proxy_destination_RequestMatch, RequestMatch__Output as _io_linkerd_proxy_destination_RequestMatch__Output } from './io/linkerd/proxy/destination/RequestMatch.js';
import type { ResponseClass as _io_linkerd_proxy_destination_ResponseClass, ResponseClass__Output as _io_linkerd_proxy_destination_ResponseClass__Output } from './io/linkerd/proxy/destination/ResponseClass.js';
import type { ResponseMatch as _io_linkerd_proxy_destination_ResponseMatch, ResponseMatch__Output as _io_linkerd_proxy_destination_ResponseMatch__Output } from './io/linkerd/proxy/destination/ResponseMatch.js';
import type { RetryBudget as _io_linkerd_proxy_destination_RetryBudget, RetryBudget__Output as _io_linkerd_proxy_destination_RetryBudget__Output } from './io/linkerd/proxy/destination/RetryBudget.js';
import type { Route as _io_linkerd_proxy_destination_Route, Route__Output as _io_linkerd_proxy_destination_Route__Output } from './io/linkerd/proxy/destination/Route.js';
import type { TlsIdentity as _io_linkerd_proxy_destination_TlsIdentity, TlsIdentity__Output as _io_linkerd_proxy_destination_TlsIdentity__Output } from './io/linkerd/proxy/destination/TlsIdentity.js';
import type { Update as _io_linkerd_proxy_destination_Update, Update__Output as _io_linkerd_proxy_destination_Update__Output } from './io/linkerd/proxy/destination/Update.js';
import type { WeightedAddr as _io_linkerd_proxy_destination_WeightedAddr, WeightedAddr__Output as _io_linkerd_proxy_destination_WeightedAddr__Output } from './io/linkerd/proxy/destination/WeightedAddr.js';
import type { WeightedAddrSet as _io_linkerd_proxy_destination_WeightedAddrSet, WeightedAddrSet__Output as _io_linkerd_proxy_destination_WeightedAddrSet__Output } from './io/linkerd/proxy/destination/WeightedAddrSet.js';
import type { WeightedDst as _io_linkerd_proxy_destination_WeightedDst, WeightedDst__Output as _io_linkerd_proxy_destination_WeightedDst__Output } from './io/linkerd/proxy/destination/WeightedDst.js';
import type { Headers as _io_linkerd_proxy_http_types_Headers, Headers__Output as _io_linkerd_proxy_http_types_Headers__Output } from './io/linkerd/proxy/http_types/Headers.js';
import type { HttpMethod as _io_linkerd_proxy_http_types_HttpMethod, HttpMethod__Output as _io_linkerd_proxy_http_types_HttpMethod__Output } from './io/linkerd/proxy/http_types/HttpMethod.js';
import type { Scheme as _io_linkerd_proxy_http_types_Scheme, Scheme__Output as _io_linkerd_proxy_http_types_Scheme__Output } from './io/linkerd/proxy/http_types/Scheme.js';
import type { IPAddress as _io_linkerd_proxy_net_IPAddress, IPAddress__Output as _io_linkerd_proxy_net_IPAddress__Output } from './io/linkerd/proxy/net/IPAddress.js';
import type { IPNetwork as _io_linkerd_proxy_net_IPNetwork, IPNetwork__Output as _io_linkerd_proxy_net_IPNetwork__Output } from './io/linkerd/proxy/net/IPNetwork.js';
import type { IPv6 as _io_linkerd_proxy_net_IPv6, IPv6__Output as _io_linkerd_proxy_net_IPv6__Output } from './io/linkerd/proxy/net/IPv6.js';
import type { TcpAddress as _io_linkerd_proxy_net_TcpAddress, TcpAddress__Output as _io_linkerd_proxy_net_TcpAddress__Output } from './io/linkerd/proxy/net/TcpAddress.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      Duration: MessageTypeDefinition<_google_protobuf_Duration, _google_protobuf_Duration__Output>
    }
  }
  io: {
    linkerd: {
      proxy: {
        destination: {
          AddrSet: MessageTypeDefinition<_io_linkerd_proxy_destination_AddrSet, _io_linkerd_proxy_destination_AddrSet__Output>
          AuthorityOverride: MessageTypeDefinition<_io_linkerd_proxy_destination_AuthorityOverride, _io_linkerd_proxy_destination_AuthorityOverride__Output>
          Destination: SubtypeConstructor<typeof grpc.Client, _io_linkerd_proxy_destination_DestinationClient> & { service: _io_linkerd_proxy_destination_DestinationDefinition }
          DestinationProfile: MessageTypeDefinition<_io_linkerd_proxy_destination_DestinationProfile, _io_linkerd_proxy_destination_DestinationProfile__Output>
          GetDestination: MessageTypeDefinition<_io_linkerd_proxy_destination_GetDestination, _io_linkerd_proxy_destination_GetDestination__Output>
          HttpStatusRange: MessageTypeDefinition<_io_linkerd_proxy_destination_HttpStatusRange, _io_linkerd_proxy_destination_HttpStatusRange__Output>
          NoEndpoints: MessageTypeDefinition<_io_linkerd_proxy_destination_NoEndpoints, _io_linkerd_proxy_destination_NoEndpoints__Output>
          PathMatch: MessageTypeDefinition<_io_linkerd_proxy_destination_PathMatch, _io_linkerd_proxy_destination_PathMatch__Output>
          ProtocolHint: MessageTypeDefinition<_io_linkerd_proxy_destination_ProtocolHint, _io_linkerd_proxy_destination_ProtocolHint__Output>
          RequestMatch: MessageTypeDefinition<_io_linkerd_proxy_destination_RequestMatch, _io_linkerd_proxy_destination_RequestMatch__Output>
          ResponseClass: MessageTypeDefinition<_io_linkerd_proxy_destination_ResponseClass, _io_linkerd_proxy_destination_ResponseClass__Output>
          ResponseMatch: MessageTypeDefinition<_io_linkerd_proxy_destination_ResponseMatch, _io_linkerd_proxy_destination_ResponseMatch__Output>
          RetryBudget: MessageTypeDefinition<_io_linkerd_proxy_destination_RetryBudget, _io_linkerd_proxy_destination_RetryBudget__Output>
          Route: MessageTypeDefinition<_io_linkerd_proxy_destination_Route, _io_linkerd_proxy_destination_Route__Output>
          TlsIdentity: MessageTypeDefinition<_io_linkerd_proxy_destination_TlsIdentity, _io_linkerd_proxy_destination_TlsIdentity__Output>
          Update: MessageTypeDefinition<_io_linkerd_proxy_destination_Update, _io_linkerd_proxy_destination_Update__Output>
          WeightedAddr: MessageTypeDefinition<_io_linkerd_proxy_destination_WeightedAddr, _io_linkerd_proxy_destination_WeightedAddr__Output>
          WeightedAddrSet: MessageTypeDefinition<_io_linkerd_proxy_destination_WeightedAddrSet, _io_linkerd_proxy_destination_WeightedAddrSet__Output>
          WeightedDst: MessageTypeDefinition<_io_linkerd_proxy_destination_WeightedDst, _io_linkerd_proxy_destination_WeightedDst__Output>
        }
        http_types: {
          Headers: MessageTypeDefinition<_io_linkerd_proxy_http_types_Headers, _io_linkerd_proxy_http_types_Headers__Output>
          HttpMethod: MessageTypeDefinition<_io_linkerd_proxy_http_types_HttpMethod, _io_linkerd_proxy_http_types_HttpMethod__Output>
          Scheme: MessageTypeDefinition<_io_linkerd_proxy_http_types_Scheme, _io_linkerd_proxy_http_types_Scheme__Output>
        }
        net: {
          IPAddress: MessageTypeDefinition<_io_linkerd_proxy_net_IPAddress, _io_linkerd_proxy_net_IPAddress__Output>
          IPNetwork: MessageTypeDefinition<_io_linkerd_proxy_net_IPNetwork, _io_linkerd_proxy_net_IPNetwork__Output>
          IPv6: MessageTypeDefinition<_io_linkerd_proxy_net_IPv6, _io_linkerd_proxy_net_IPv6__Output>
          TcpAddress: MessageTypeDefinition<_io_linkerd_proxy_net_TcpAddress, _io_linkerd_proxy_net_TcpAddress__Output>
        }
      }
    }
  }
}

