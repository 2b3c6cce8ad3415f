import type { Route } from '../route';

const REQUESTS = '/v1/switches/policies/{policyId}/compartments/{compartmentId}/requests';

/** Switches between the funds of a self-invested compartment: the subscriber, the distributor's brokers and partners, back-office. */
export const SWITCH_ROUTES: Route[] = [
  {
    method: 'POST',
    path: REQUESTS,
    operation: 'RequestSwitch',
    auth: 'required',
    status: 201,
    body: ['json'],
    bodyVariable: 'input',
    tag: 'switches',
    summary: 'Ask for a switch: legs [{isin, direction SELL|BUY, unit AMOUNT|BASIS_POINT_OF_CURRENT_POSITION|BASIS_POINT_OF_SELL_PROCEED, amount {value, scale, currency} | basisPoints}], requestedAt (YYYY-MM-DD); executed at the first NAVs dated on or after the day received',
  },
  { method: 'GET', path: `${REQUESTS}/{requestId}`, operation: 'GetSwitchRequest', auth: 'required', status: 200, tag: 'switches', summary: 'A switch request: requested, or executed with what each leg did' },
];
