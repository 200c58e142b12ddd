// Original file: identity.proto


export interface CertifyRequest {
  'identity'?: (string);
  'token'?: (Buffer | Uint8Array | string);
  'certificateSigningRequest'?: (Buffer | Uint8Array | string);
}

export interface CertifyRequest__Output {
  'identity': (string);
  'token': (Buffer);
  'certificateSigningRequest': (Buffer);
}
