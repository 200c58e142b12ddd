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
      }
    }
  }
}

