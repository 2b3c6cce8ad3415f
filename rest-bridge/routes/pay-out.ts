import type { Route } from '../route';

const BASE = '/v1/pay-out/subscribers/{subscriberId}/ibans';

export const PAY_OUT_ROUTES: Route[] = [
  { method: 'GET', path: BASE, operation: 'ListPayoutIbans', auth: 'required', status: 200, tag: 'pay-out', summary: "A subscriber's pay-out IBANs (masked for brokers and partners)" },
  { method: 'POST', path: BASE, operation: 'RegisterPayoutIban', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'pay-out', summary: 'Register a pay-out IBAN (SEPA, with its holder name); the first one becomes the default' },
  {
    method: 'PATCH',
    // `{iban}`: electronic format, print format URL-encoded, or the IBAN's id (brokers and partners see masked IBANs).
    path: `${BASE}/{iban}/make-default`,
    operation: 'MakePayoutIbanDefault',
    auth: 'required',
    status: 200,
    tag: 'pay-out',
    summary: "Make one of the subscriber's IBANs the default for pay-outs",
  },
];
