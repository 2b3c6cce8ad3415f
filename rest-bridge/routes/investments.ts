import type { Route } from '../route';

const FUNDS = '/v1/investments/funds';
const POLICY = '/v1/investments/policies/{policyId}';
const COMPARTMENT = `${POLICY}/compartments/{compartmentId}`;

/** The fund catalogue and its valuations (market data), and what policies' compartments hold. */
export const INVESTMENT_ROUTES: Route[] = [
  { method: 'GET', path: FUNDS, operation: 'ListFunds', auth: 'required', status: 200, tag: 'investments', summary: 'The fund catalogue by ISIN, each with its latest valuation' },
  { method: 'POST', path: FUNDS, operation: 'RegisterFund', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'investments', summary: 'Add a fund to the catalogue: isin (check digit verified), name, kind, currency, assetClass, riskIndicator 1-7 (back-office)' },
  { method: 'GET', path: `${FUNDS}/{isin}`, operation: 'GetFund', auth: 'required', status: 200, tag: 'investments', summary: 'A fund of the catalogue with its latest valuation' },
  { method: 'GET', path: `${FUNDS}/{isin}/valuations`, operation: 'ListFundValuations', auth: 'required', status: 200, tag: 'investments', summary: "A fund's valuations, oldest first: ?from=&to= (YYYY-MM-DD, at most 366 days; default the year up to today); { isin, valuations }" },
  {
    method: 'PUT',
    path: `${FUNDS}/{isin}/valuations/{valuedOn}`,
    operation: 'LoadFundValuation',
    auth: 'required',
    status: 200,
    body: ['json'],
    tag: 'investments',
    summary: 'Load the NAV of one share on a date: nav {value, scale, currency}; the same NAV again changes nothing, another is 409 unless correctionReason is given (back-office, partners)',
  },
  {
    method: 'POST',
    path: '/v1/investments/valuation-files',
    operation: 'LoadFundValuationFile',
    auth: 'required',
    status: 200,
    body: ['json'],
    tag: 'investments',
    summary: 'Load a CSV file of valuations, all or nothing: { csv } with header isin,valuedOn,nav,currency[,correctionReason], NAV as 123.4567 (back-office, partners)',
  },
  { method: 'GET', path: `${POLICY}/positions`, operation: 'GetPolicyPositions', auth: 'required', status: 200, tag: 'investments', summary: "A policy's value, its product and its compartments' positions, each at its fund's latest NAV" },
  { method: 'GET', path: `${POLICY}/value-history`, operation: 'GetPolicyValueHistory', auth: 'required', status: 200, tag: 'investments', summary: "A policy's positions' value on each valuation date: ?from=&to= (at most 366 days)" },
  { method: 'GET', path: `${COMPARTMENT}/positions`, operation: 'GetCompartmentPositions', auth: 'required', status: 200, tag: 'investments', summary: "A compartment's value and positions, each at its fund's latest NAV" },
  { method: 'GET', path: `${COMPARTMENT}/value-history`, operation: 'GetCompartmentValueHistory', auth: 'required', status: 200, tag: 'investments', summary: "A compartment's positions' value on each valuation date: ?from=&to= (at most 366 days)" },
];
