// Labels every object of the install carries: `weft uninstall` and `weft upgrade` find the
// install's objects by PART_OF_LABEL, `weft check` the control plane's pods by component.
import { CONTROL_PLANE_COMPONENT_LABEL, CONTROL_PLANE_NS_LABEL } from '../../../control/injector/annotations.js';
import { NAMESPACE, PART_OF, PART_OF_LABEL } from '../names.js';

export function installLabels(version: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [PART_OF_LABEL]: PART_OF, 'app.kubernetes.io/version': version, [CONTROL_PLANE_NS_LABEL]: NAMESPACE, ...extra };
}

export function componentLabels(component: string): Record<string, string> {
  return { [CONTROL_PLANE_COMPONENT_LABEL]: component };
}
