// Original file: tap.proto


export interface Eos {
  'grpcStatusCode'?: (number);
  'resetErrorCode'?: (number);
  'end'?: "grpcStatusCode"|"resetErrorCode";
}

export interface Eos__Output {
  'grpcStatusCode'?: (number);
  'resetErrorCode'?: (number);
  'end'?: "grpcStatusCode"|"resetErrorCode";
}
