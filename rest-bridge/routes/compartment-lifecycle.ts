import type { Route } from '../route';
import { COMPARTMENT_ACTIONS } from '../../domain/policy/compartment-lifecycle';

const BASE = '/v1/compartment-lifecycle/policies/{policyId}/compartments';

export const COMPARTMENT_LIFECYCLE_ROUTES: Route[] = [
  { method: 'GET', path: BASE, operation: 'ListCompartments', auth: 'required', status: 200, tag: 'compartment-lifecycle', summary: 'The compartments of a policy with their lifecycle (back-office, partners)' },
  { method: 'GET', path: `${BASE}/{compartmentId}`, operation: 'GetCompartment', auth: 'required', status: 200, tag: 'compartment-lifecycle', summary: 'One compartment of a policy with its lifecycle (back-office, partners)' },
  { method: 'POST', path: BASE, operation: 'OpenCompartment', auth: 'required', status: 201, body: ['json'], tag: 'compartment-lifecycle', summary: 'Open a compartment (C1, C2, C3 on a PER) with a reason' },
  ...COMPARTMENT_ACTIONS.map(
    (action): Route => ({
      method: 'POST',
      path: `${BASE}/{compartmentId}/${action}`,
      operation: 'TransitionCompartment',
      constants: { action },
      auth: 'required',
      status: 200,
      body: ['json'],
      tag: 'compartment-lifecycle',
      summary: `${action[0].toUpperCase()}${action.slice(1)} a compartment, with a reason`,
    }),
  ),
  {
    method: 'POST',
    path: `${BASE}/{compartmentId}/delegate`,
    operation: 'DelegateCompartmentToMandate',
    auth: 'required',
    status: 200,
    body: ['json'],
    tag: 'compartment-lifecycle',
    summary: 'Delegate a self-invested compartment to a mandate ({mandateId}): it becomes managed, and a switch rebalancing it to the target allocation is asked (forward pricing)',
  },
  {
    method: 'POST',
    path: `${BASE}/{compartmentId}/revoke-delegation`,
    operation: 'RevokeCompartmentDelegation',
    auth: 'required',
    status: 200,
    tag: 'compartment-lifecycle',
    summary: 'Return a managed compartment to self-invested, keeping its positions (a rebalancing still waiting for its NAVs is stopped)',
  },
];
