// Original file: inbound.proto


export interface IdentitySuffix {
  'parts'?: (string)[];
}

export interface IdentitySuffix__Output {
  'parts': (string)[];
}
