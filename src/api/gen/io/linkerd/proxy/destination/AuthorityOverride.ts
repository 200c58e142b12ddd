// Original file: destination.proto


export interface AuthorityOverride {
  'authorityOverride'?: (string);
}

export interface AuthorityOverride__Output {
  'authorityOverride': (string);
}
