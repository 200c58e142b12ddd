// Original file: outbound.proto


export interface EjectionConfig {
  'minReadyEndpoints'?: (number);
}

export interface EjectionConfig__Output {
  'minReadyEndpoints': (number);
}
