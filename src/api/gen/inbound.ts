import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from './google/protobuf/Duration.js';
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
import type { Authn as _io_linkerd_proxy_inbound_Authn, Authn__Output as _io_linkerd_proxy_inbound_Authn__Output } from './io/linkerd/proxy/inbound/Authn.js';
import type { Authz as _io_linkerd_proxy_inbound_Authz, Authz__Output as _io_linkerd_proxy_inbound_Authz__Output } from './io/linkerd/proxy/inbound/Authz.js';
import type { GrpcRoute as _io_linkerd_proxy_inbound_GrpcRoute, GrpcRoute__Output as _io_linkerd_proxy_inbound_GrpcRoute__Output } from './io/linkerd/proxy/inbound/GrpcRoute.js';
import type { HttpLocalRateLimit as _io_linkerd_proxy_inbound_HttpLocalRateLimit, HttpLocalRateLimit__Output as _io_linkerd_proxy_inbound_HttpLocalRateLimit__Output } from './io/linkerd/proxy/inbound/HttpLocalRateLimit.js';
import type { HttpRoute as _io_linkerd_proxy_inbound_HttpRoute, HttpRoute__Output as _io_linkerd_proxy_inbound_HttpRoute__Output } from './io/linkerd/proxy/inbound/HttpRoute.js';
import type { Identity as _io_linkerd_proxy_inbound_Identity, Identity__Output as _io_linkerd_proxy_inbound_Identity__Output } from './io/linkerd/proxy/inbound/Identity.js';
import type { IdentitySuffix as _io_linkerd_proxy_inbound_IdentitySuffix, IdentitySuffix__Output as _io_linkerd_proxy_inbound_IdentitySuffix__Output } from './io/linkerd/proxy/inbound/IdentitySuffix.js';
import type { InboundServerPoliciesClient as _io_linkerd_proxy_inbound_InboundServerPoliciesClient, InboundServerPoliciesDefinition as _io_linkerd_proxy_inbound_InboundServerPoliciesDefinition } from './io/linkerd/proxy/inbound/InboundServerPolicies.js';
import type { Network as _io_linkerd_proxy_inbound_Network, Network__Output as _io_linkerd_proxy_inbound_Network__Output } from './io/linkerd/proxy/inbound/Network.js';
import type { PortSpec as _io_linkerd_proxy_inbound_PortSpec, PortSpec__Output as _io_linkerd_proxy_inbound_PortSpec__Output } from './io/linkerd/proxy/inbound/PortSpec.js';
import type { ProxyProtocol as _io_linkerd_proxy_inbound_ProxyProtocol, ProxyProtocol__Output as _io_linkerd_proxy_inbound_ProxyProtocol__Output } from './io/linkerd/proxy/inbound/ProxyProtocol.js';
import type { Server as _io_linkerd_proxy_inbound_Server, Server__Output as _io_linkerd_proxy_inbound_Server__Output } from './io/linkerd/proxy/inbound/Server.js';
import type { WeftJwtAuthn as _io_linkerd_proxy_inbound_WeftJwtAuthn, WeftJwtAuthn__Output as _io_linkerd_proxy_inbound_WeftJwtAuthn__Output } from './io/linkerd/proxy/inbound/WeftJwtAuthn.js';
import type { Metadata as _io_linkerd_proxy_meta_Metadata, Metadata__Output as _io_linkerd_proxy_meta_Metadata__Output } from './io/linkerd/proxy/meta/Metadata.js';
import type { Resource as _io_linkerd_proxy_meta_Resource, Resource__Output as _io_linkerd_proxy_meta_Resource__Output } from './io/linkerd/proxy/meta/Resource.js';
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
        inbound: {
          Authn: MessageTypeDefinition<_io_linkerd_proxy_inbound_Authn, _io_linkerd_proxy_inbound_Authn__Output>
          Authz: MessageTypeDefinition<_io_linkerd_proxy_inbound_Authz, _io_linkerd_proxy_inbound_Authz__Output>
          GrpcRoute: MessageTypeDefinition<_io_linkerd_proxy_inbound_GrpcRoute, _io_linkerd_proxy_inbound_GrpcRoute__Output>
          HttpLocalRateLimit: MessageTypeDefinition<_io_linkerd_proxy_inbound_HttpLocalRateLimit, _io_linkerd_proxy_inbound_HttpLocalRateLimit__Output>
          HttpRoute: MessageTypeDefinition<_io_linkerd_proxy_inbound_HttpRoute, _io_linkerd_proxy_inbound_HttpRoute__Output>
          Identity: MessageTypeDefinition<_io_linkerd_proxy_inbound_Identity, _io_linkerd_proxy_inbound_Identity__Output>
          IdentitySuffix: MessageTypeDefinition<_io_linkerd_proxy_inbound_IdentitySuffix, _io_linkerd_proxy_inbound_IdentitySuffix__Output>
          InboundServerPolicies: SubtypeConstructor<typeof grpc.Client, _io_linkerd_proxy_inbound_InboundServerPoliciesClient> & { service: _io_linkerd_proxy_inbound_InboundServerPoliciesDefinition }
          Network: MessageTypeDefinition<_io_linkerd_proxy_inbound_Network, _io_linkerd_proxy_inbound_Network__Output>
          PortSpec: MessageTypeDefinition<_io_linkerd_proxy_inbound_PortSpec, _io_linkerd_proxy_inbound_PortSpec__Output>
          ProxyProtocol: MessageTypeDefinition<_io_linkerd_proxy_inbound_ProxyProtocol, _io_linkerd_proxy_inbound_ProxyProtocol__Output>
          Server: MessageTypeDefinition<_io_linkerd_proxy_inbound_Server, _io_linkerd_proxy_inbound_Server__Output>
          WeftJwtAuthn: MessageTypeDefinition<_io_linkerd_proxy_inbound_WeftJwtAuthn, _io_linkerd_proxy_inbound_WeftJwtAuthn__Output>
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
      }
    }
  }
}

