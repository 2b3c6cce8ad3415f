import type { Route } from '../route';

const BASE = '/v1/pay-out/subscribers/{subscriberId}/ibans';

export const PAY_OUT_ROUTES: Route[] = [
  { method: 'GET', path: BASE, operation: 'ListPayoutIbans', auth: 'required', status: 200, tag: 'pay-out', summary: "A subscriber's pay-out IBANs (masked for brokers and partners)" },
  { method: 'POST', path: BASE, operation: 'RegisterPayoutIban', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'pay-out', summary: 'Register a pay-out IBAN (SEPA, with its holder name); it waits for the subscriber, a RIB proof and, for another holder, back-office' },
  { method: 'GET', path: `${BASE}/{iban}`, operation: 'GetPayoutIban', auth: 'required', status: 200, tag: 'pay-out', summary: "One of a subscriber's pay-out IBANs (`{iban}`: its id; masked for brokers and partners)" },
  {
    method: 'PATCH',
    // `{iban}`: electronic format, print format URL-encoded, or the IBAN's id (brokers and partners see masked IBANs).
    path: `${BASE}/{iban}/make-default`,
    operation: 'MakePayoutIbanDefault',
    auth: 'required',
    status: 200,
    tag: 'pay-out',
    summary: "Make one of the subscriber's confirmed IBANs the default for pay-outs (the subscriber or back-office)",
  },
  // `{iban}` below: the IBAN's id; the subscriber and back-office may also name it by the IBAN itself.
  { method: 'POST', path: `${BASE}/{iban}/confirmation-code`, operation: 'SendPayoutIbanConfirmationCode', auth: 'required', status: 202, tag: 'pay-out', summary: 'Send the subscriber, by SMS, a one-time code confirming an IBAN someone else registered' },
  { method: 'POST', path: `${BASE}/{iban}/confirm`, operation: 'ConfirmPayoutIban', auth: 'required', status: 200, body: ['json'], tag: 'pay-out', summary: "The subscriber's confirmation: signed in as the subscriber, or with the code sent to their phone (`code`)" },
  { method: 'POST', path: `${BASE}/{iban}/review`, operation: 'ReviewPayoutIban', auth: 'required', status: 200, body: ['json'], bodyVariable: 'input', tag: 'pay-out', summary: 'Back-office: approve a holder who is not the subscriber, or refuse an IBAN still waiting (`decision`, `reason`)' },
];
