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
import type { GrpcFailureInjector as _io_linkerd_proxy_grpc_route_GrpcFailureInjector, GrpcFailureInjector__Output as _io_linkerd_proxy_grpc_route_GrpcFailureInjector__Output } from './io/linkerd/proxy/grpc_route/GrpcFailureInjector.js';
import type { GrpcRouteMatch as _io_linkerd_proxy_grpc_route_GrpcRouteMatch, GrpcRouteMatch__Output as _io_linkerd_proxy_grpc_route_GrpcRouteMatch__Output } from './io/linkerd/proxy/grpc_route/GrpcRouteMatch.js';
import type { GrpcRpcMatch as _io_linkerd_proxy_grpc_route_GrpcRpcMatch, GrpcRpcMatch__Output as _io_linkerd_proxy_grpc_route_GrpcRpcMatch__Output } from './io/linkerd/proxy/grpc_route/GrpcRpcMatch.js';
import type { HeaderMatch as _io_linkerd_proxy_http_route_HeaderMatch, HeaderMatch__Output as _io_linkerd_proxy_http_route_HeaderMatch__Output } from './io/linkerd/proxy/http_route/HeaderMatch.js';
import type { HostMatch as _io_linkerd_proxy_http_route_HostMatch, HostMatch__Output as _io_linkerd_proxy_http_route_HostMatch__Output } from './io/linkerd/proxy/http_route/HostMatch.js';
import type { HttpFailureDelay as _io_linkerd_proxy_http_route_HttpFailureDelay, HttpFailureDelay__Output as _io_linkerd_proxy_http_route_HttpFailureDelay__Output } from './io/linkerd/proxy/http_route/HttpFailureDelay.js';
import type { HttpFailureInjector as _io_linkerd_proxy_http_route_HttpFailureInjector, HttpFailureInjector__Output as _io_linkerd_proxy_http_route_HttpFailureInjector__Output } from './io/linkerd/proxy/http_route/HttpFailureInjector.js';
import type { HttpRouteMatch as _io_linkerd_proxy_http_route_HttpRouteMatch, HttpRouteMatch__Output as _io_linkerd_proxy_http_route_HttpRouteMatch__Output } from './io/linkerd/proxy/http_route/HttpRouteMatch.js';
import type { PathMatch as _io_linkerd_proxy_http_route_PathMatch, PathMatch__Output as _io_linkerd_proxy_http_route_PathMatch__Output } from './io/linkerd/proxy/http_route/PathMatch.js';
import type { PathModifier as _io_linkerd_proxy_http_route_PathModifier, PathModifier__Output as _io_linkerd_proxy_http_route_PathModifier__Output } from './io/linkerd/proxy/http_route/PathModifier.js';
import type { QueryParamMatch as _io_linkerd_proxy_http_route_QueryParamMatch, QueryParamMatch__Output as _io_linkerd_proxy_http_route_QueryParamMatch__Output } from './io/linkerd/proxy/http_route/QueryParamMatch.js';
import type { Ratio as _io_linkerd_proxy_http_route_Ratio, Ratio__Output as _io_linkerd_proxy_http_route_Ratio__Output } from './io/linkerd/proxy/http_route/Ratio.js';
import type { RequestHeaderModifier as _io_linkerd_proxy_http_route_RequestHeaderModifier, RequestHeaderModifier__Output as _io_linkerd_proxy_http_route_RequestHeaderModifier__Output } from './io/linkerd/proxy/http_route/RequestHeaderModifier.js';
import type { RequestMirror as _io_linkerd_proxy_http_route_RequestMirror, RequestMirror__Output as _io_linkerd_proxy_http_route_RequestMirror__Output } from './io/linkerd/proxy/http_route/RequestMirror.js';
import type { RequestRedirect as _io_linkerd_proxy_http_route_RequestRedirect, RequestRedirect__Output as _io_linkerd_proxy_http_route_RequestRedirect__Output } from './io/linkerd/proxy/http_route/RequestRedirect.js';
import type { ResponseHeaderModifier as _io_linkerd_proxy_http_route_ResponseHeaderModifier, ResponseHeaderModifier__Output as _io_linkerd_proxy_http_route_ResponseHeaderModifier__Output } from './io/linkerd/proxy/http_route/ResponseHeaderModifier.js';
import type { Timeouts as _io_linkerd_proxy_http_route_Timeouts, Timeouts__Output as _io_linkerd_proxy_http_route_Timeouts__Output } from './io/linkerd/proxy/http_route/Timeouts.js';
import type { UrlRewrite as _io_linkerd_proxy_http_route_UrlRewrite, UrlRewrite__Output as _io_linkerd_proxy_http_route_UrlRewrite__Output } from './io/linkerd/proxy/http_route/UrlRewrite.js';
import type { Headers as _io_linkerd_proxy_http_types_Headers, Headers__Output as _io_linkerd_proxy_http_types_Headers__Output } from './io/linkerd/proxy/http_types/Headers.js';
import type { HttpMethod as _io_linkerd_proxy_http_types_HttpMethod, HttpMethod__Output as _io_linkerd_proxy_http_types_HttpMethod__Output } from './io/linkerd/proxy/http_types/HttpMethod.js';
import type { Scheme as _io_linkerd_proxy_http_types_Scheme, Scheme__Output as _io_linkerd_proxy_http_types_Scheme__Output } from './io/linkerd/proxy/http_types/Scheme.js';
import type { Metadata as _io_linkerd_proxy_meta_Metadata, Metadata__Output as _io_linkerd_proxy_meta_Metadata__Output } from './io/linkerd/proxy/meta/Metadata.js';
import type { Resource as _io_linkerd_proxy_meta_Resource, Resource__Output as _io_linkerd_proxy_meta_Resource__Output } from './io/linkerd/proxy/meta/Resource.js';
import type { IPAddress as _io_linkerd_proxy_net_IPAddress, IPAddress__Output as _io_linkerd_proxy_net_IPAddress__Output } from './io/linkerd/proxy/net/IPAddress.js';
import type { IPNetwork as _io_linkerd_proxy_net_IPNetwork, IPNetwork__Output as _io_linkerd_proxy_net_IPNetwork__Output } from './io/linkerd/proxy/net/IPNetwork.js';
import type { IPv6 as _io_linkerd_proxy_net_IPv6, IPv6__Output as _io_linkerd_proxy_net_IPv6__Output } from './io/linkerd/proxy/net/IPv6.js';
import type { TcpAddress as _io_linkerd_proxy_net_TcpAddress, TcpAddress__Output as _io_linkerd_proxy_net_TcpAddress__Output } from './io/linkerd/proxy/net/TcpAddress.js';
import type { Forbidden as _io_linkerd_proxy_opaque_route_Forbidden, Forbidden__Output as _io_linkerd_proxy_opaque_route_Forbidden__Output } from './io/linkerd/proxy/opaque_route/Forbidden.js';
import type { Invalid as _io_linkerd_proxy_opaque_route_Invalid, Invalid__Output as _io_linkerd_proxy_opaque_route_Invalid__Output } from './io/linkerd/proxy/opaque_route/Invalid.js';
import type { Backend as _io_linkerd_proxy_outbound_Backend, Backend__Output as _io_linkerd_proxy_outbound_Backend__Output } from './io/linkerd/proxy/outbound/Backend.js';
import type { EjectionConfig as _io_linkerd_proxy_outbound_EjectionConfig, EjectionConfig__Output as _io_linkerd_proxy_outbound_EjectionConfig__Output } from './io/linkerd/proxy/outbound/EjectionConfig.js';
import type { ExponentialBackoff as _io_linkerd_proxy_outbound_ExponentialBackoff, ExponentialBackoff__Output as _io_linkerd_proxy_outbound_ExponentialBackoff__Output } from './io/linkerd/proxy/outbound/ExponentialBackoff.js';
import type { FailureAccrual as _io_linkerd_proxy_outbound_FailureAccrual, FailureAccrual__Output as _io_linkerd_proxy_outbound_FailureAccrual__Output } from './io/linkerd/proxy/outbound/FailureAccrual.js';
import type { GrpcRoute as _io_linkerd_proxy_outbound_GrpcRoute, GrpcRoute__Output as _io_linkerd_proxy_outbound_GrpcRoute__Output } from './io/linkerd/proxy/outbound/GrpcRoute.js';
import type { HttpRoute as _io_linkerd_proxy_outbound_HttpRoute, HttpRoute__Output as _io_linkerd_proxy_outbound_HttpRoute__Output } from './io/linkerd/proxy/outbound/HttpRoute.js';
import type { OpaqueRoute as _io_linkerd_proxy_outbound_OpaqueRoute, OpaqueRoute__Output as _io_linkerd_proxy_outbound_OpaqueRoute__Output } from './io/linkerd/proxy/outbound/OpaqueRoute.js';
import type { OutboundPoliciesClient as _io_linkerd_proxy_outbound_OutboundPoliciesClient, OutboundPoliciesDefinition as _io_linkerd_proxy_outbound_OutboundPoliciesDefinition } from './io/linkerd/proxy/outbound/OutboundPolicies.js';
import type { OutboundPolicy as _io_linkerd_proxy_outbound_OutboundPolicy, OutboundPolicy__Output as _io_linkerd_proxy_outbound_OutboundPolicy__Output } from './io/linkerd/proxy/outbound/OutboundPolicy.js';
import type { ProxyProtocol as _io_linkerd_proxy_outbound_ProxyProtocol, ProxyProtocol__Output as _io_linkerd_proxy_outbound_ProxyProtocol__Output } from './io/linkerd/proxy/outbound/ProxyProtocol.js';
import type { Queue as _io_linkerd_proxy_outbound_Queue, Queue__Output as _io_linkerd_proxy_outbound_Queue__Output } from './io/linkerd/proxy/outbound/Queue.js';
import type { RouteRateLimit as _io_linkerd_proxy_outbound_RouteRateLimit, RouteRateLimit__Output as _io_linkerd_proxy_outbound_RouteRateLimit__Output } from './io/linkerd/proxy/outbound/RouteRateLimit.js';
import type { TlsRoute as _io_linkerd_proxy_outbound_TlsRoute, TlsRoute__Output as _io_linkerd_proxy_outbound_TlsRoute__Output } from './io/linkerd/proxy/outbound/TlsRoute.js';
import type { TrafficSpec as _io_linkerd_proxy_outbound_TrafficSpec, TrafficSpec__Output as _io_linkerd_proxy_outbound_TrafficSpec__Output } from './io/linkerd/proxy/outbound/TrafficSpec.js';
import type { SniMatch as _io_linkerd_proxy_tls_route_SniMatch, SniMatch__Output as _io_linkerd_proxy_tls_route_SniMatch__Output } from './io/linkerd/proxy/tls_route/SniMatch.js';

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
        grpc_route: {
          GrpcFailureInjector: MessageTypeDefinition<_io_linkerd_proxy_grpc_route_GrpcFailureInjector, _io_linkerd_proxy_grpc_route_GrpcFailureInjector__Output>
          GrpcRouteMatch: MessageTypeDefinition<_io_linkerd_proxy_grpc_route_GrpcRouteMatch, _io_linkerd_proxy_grpc_route_GrpcRouteMatch__Output>
          GrpcRpcMatch: MessageTypeDefinition<_io_linkerd_proxy_grpc_route_GrpcRpcMatch, _io_linkerd_proxy_grpc_route_GrpcRpcMatch__Output>
        }
        http_route: {
          HeaderMatch: MessageTypeDefinition<_io_linkerd_proxy_http_route_HeaderMatch, _io_linkerd_proxy_http_route_HeaderMatch__Output>
          HostMatch: MessageTypeDefinition<_io_linkerd_proxy_http_route_HostMatch, _io_linkerd_proxy_http_route_HostMatch__Output>
          HttpFailureDelay: MessageTypeDefinition<_io_linkerd_proxy_http_route_HttpFailureDelay, _io_linkerd_proxy_http_route_HttpFailureDelay__Output>
          HttpFailureInjector: MessageTypeDefinition<_io_linkerd_proxy_http_route_HttpFailureInjector, _io_linkerd_proxy_http_route_HttpFailureInjector__Output>
          HttpRouteMatch: MessageTypeDefinition<_io_linkerd_proxy_http_route_HttpRouteMatch, _io_linkerd_proxy_http_route_HttpRouteMatch__Output>
          PathMatch: MessageTypeDefinition<_io_linkerd_proxy_http_route_PathMatch, _io_linkerd_proxy_http_route_PathMatch__Output>
          PathModifier: MessageTypeDefinition<_io_linkerd_proxy_http_route_PathModifier, _io_linkerd_proxy_http_route_PathModifier__Output>
          QueryParamMatch: MessageTypeDefinition<_io_linkerd_proxy_http_route_QueryParamMatch, _io_linkerd_proxy_http_route_QueryParamMatch__Output>
          Ratio: MessageTypeDefinition<_io_linkerd_proxy_http_route_Ratio, _io_linkerd_proxy_http_route_Ratio__Output>
          RequestHeaderModifier: MessageTypeDefinition<_io_linkerd_proxy_http_route_RequestHeaderModifier, _io_linkerd_proxy_http_route_RequestHeaderModifier__Output>
          RequestMirror: MessageTypeDefinition<_io_linkerd_proxy_http_route_RequestMirror, _io_linkerd_proxy_http_route_RequestMirror__Output>
          RequestRedirect: MessageTypeDefinition<_io_linkerd_proxy_http_route_RequestRedirect, _io_linkerd_proxy_http_route_RequestRedirect__Output>
          ResponseHeaderModifier: MessageTypeDefinition<_io_linkerd_proxy_http_route_ResponseHeaderModifier, _io_linkerd_proxy_http_route_ResponseHeaderModifier__Output>
          Timeouts: MessageTypeDefinition<_io_linkerd_proxy_http_route_Timeouts, _io_linkerd_proxy_http_route_Timeouts__Output>
          UrlRewrite: MessageTypeDefinition<_io_linkerd_proxy_http_route_UrlRewrite, _io_linkerd_proxy_http_route_UrlRewrite__Output>
        }
        http_types: {
          Headers: MessageTypeDefinition<_io_linkerd_proxy_http_types_Headers, _io_linkerd_proxy_http_types_Headers__Output>
          HttpMethod: MessageTypeDefinition<_io_linkerd_proxy_http_types_HttpMethod, _io_linkerd_proxy_http_types_HttpMethod__Output>
          Scheme: MessageTypeDefinition<_io_linkerd_proxy_http_types_Scheme, _io_linkerd_proxy_http_types_Scheme__Output>
        }
        meta: {
          Metadata: MessageTypeDefinition<_io_linkerd_proxy_meta_Metadata, _io_linkerd_proxy_meta_Metadata__Output>
          Resource: MessageTypeDefinition<_io_linkerd_proxy_meta_Resource, _io_linkerd_proxy_meta_Resource__Output>
        }
        net: {
          IPAddress: MessageTypeDefinition<_io_linkerd_proxy_net_IPAddress, _io_linkerd_proxy_net_IPAddress__Output>
          IPNetwork: MessageTypeDefinition<_io_linkerd_proxy_net_IPNetwork, _io_linkerd_proxy_net_IPNetwork__Output>
          IPv6: MessageTypeDefinition<_io_linkerd_proxy_net_IPv6, _io_linkerd_proxy_net_IPv6__Output>
          TcpAddress: MessageTypeDefinition<_io_linkerd_proxy_net_TcpAddress, _io_linkerd_proxy_net_TcpAddress__Output>
        }
        opaque_route: {
          Forbidden: MessageTypeDefinition<_io_linkerd_proxy_opaque_route_Forbidden, _io_linkerd_proxy_opaque_route_Forbidden__Output>
          Invalid: MessageTypeDefinition<_io_linkerd_proxy_opaque_route_Invalid, _io_linkerd_proxy_opaque_route_Invalid__Output>
        }
        outbound: {
          Backend: MessageTypeDefinition<_io_linkerd_proxy_outbound_Backend, _io_linkerd_proxy_outbound_Backend__Output>
          EjectionConfig: MessageTypeDefinition<_io_linkerd_proxy_outbound_EjectionConfig, _io_linkerd_proxy_outbound_EjectionConfig__Output>
          ExponentialBackoff: MessageTypeDefinition<_io_linkerd_proxy_outbound_ExponentialBackoff, _io_linkerd_proxy_outbound_ExponentialBackoff__Output>
          FailureAccrual: MessageTypeDefinition<_io_linkerd_proxy_outbound_FailureAccrual, _io_linkerd_proxy_outbound_FailureAccrual__Output>
          GrpcRoute: MessageTypeDefinition<_io_linkerd_proxy_outbound_GrpcRoute, _io_linkerd_proxy_outbound_GrpcRoute__Output>
          HttpRoute: MessageTypeDefinition<_io_linkerd_proxy_outbound_HttpRoute, _io_linkerd_proxy_outbound_HttpRoute__Output>
          OpaqueRoute: MessageTypeDefinition<_io_linkerd_proxy_outbound_OpaqueRoute, _io_linkerd_proxy_outbound_OpaqueRoute__Output>
          OutboundPolicies: SubtypeConstructor<typeof grpc.Client, _io_linkerd_proxy_outbound_OutboundPoliciesClient> & { service: _io_linkerd_proxy_outbound_OutboundPoliciesDefinition }
          OutboundPolicy: MessageTypeDefinition<_io_linkerd_proxy_outbound_OutboundPolicy, _io_linkerd_proxy_outbound_OutboundPolicy__Output>
          ProxyProtocol: MessageTypeDefinition<_io_linkerd_proxy_outbound_ProxyProtocol, _io_linkerd_proxy_outbound_ProxyProtocol__Output>
          Queue: MessageTypeDefinition<_io_linkerd_proxy_outbound_Queue, _io_linkerd_proxy_outbound_Queue__Output>
          RouteRateLimit: MessageTypeDefinition<_io_linkerd_proxy_outbound_RouteRateLimit, _io_linkerd_proxy_outbound_RouteRateLimit__Output>
          TlsRoute: MessageTypeDefinition<_io_linkerd_proxy_outbound_TlsRoute, _io_linkerd_proxy_outbound_TlsRoute__Output>
          TrafficSpec: MessageTypeDefinition<_io_linkerd_proxy_outbound_TrafficSpec, _io_linkerd_proxy_outbound_TrafficSpec__Output>
        }
        tls_route: {
          SniMatch: MessageTypeDefinition<_io_linkerd_proxy_tls_route_SniMatch, _io_linkerd_proxy_tls_route_SniMatch__Output>
        }
      }
    }
  }
}

