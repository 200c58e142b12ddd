// The injector's failure kinds. The webhook answers them as "allowed, not injected" with a
// warning (a pod is never blocked); `weft inject` prints them and exits 1.
import { WeftError } from '../../lib/errors.js';

/** A config.weft.io/* (or inject) annotation has a value the injector cannot use. */
export class InjectAnnotationError extends WeftError {
  constructor(readonly annotation: string, readonly value: string, problem: string) {
    super('WEFT_ERR_INJECT_ANNOTATION', `annotation ${annotation}: "${value}": ${problem}`);
  }
}

/** A document given to `weft inject`/`uninject` is not something that holds a pod template. */
export class NotAWorkloadError extends WeftError {
  constructor(readonly source: string, message: string) {
    super('WEFT_ERR_NOT_A_WORKLOAD', `${source}: ${message}`);
  }
}
