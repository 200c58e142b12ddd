// Original file: opaque_route.proto


export interface Invalid {
  'message'?: (string);
}

export interface Invalid__Output {
  'message': (string);
}
