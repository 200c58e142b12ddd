// Original file: identity.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../../google/protobuf/Timestamp.js';

export interface CertifyResponse {
  'leafCertificate'?: (Buffer | Uint8Array | string);
  'intermediateCertificates'?: (Buffer | Uint8Array | string)[];
  'validUntil'?: (_google_protobuf_Timestamp | null);
}

export interface CertifyResponse__Output {
  'leafCertificate': (Buffer);
  'intermediateCertificates': (Buffer)[];
  'validUntil': (_google_protobuf_Timestamp__Output | null);
}
