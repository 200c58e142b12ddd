// Original file: src/api/proto/destination.proto


export interface NoEndpoints {
  'exists'?: (boolean);
}

export interface NoEndpoints__Output {
  'exists': (boolean);
}
