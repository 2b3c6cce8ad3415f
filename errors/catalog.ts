/**
 * The error catalog: every error the API returns has one of these codes. Runtime errors, the GraphQL
 * extensions and the HTML pages at /docs/errors/<code> are all rendered from these entries.
 */
export interface CatalogEntry {
  /** HTTP status the code always maps to. */
  status: number;
  /** The HTTP reason phrase of the status, e.g. "Unauthorized". */
  title: string;
  /** One sentence: what the code means. */
  description: string;
  /** Typical causes, one line each. */
  causes: string[];
  /** What the caller should do, one line each. */
  fixes: string[];
  /** A reason typical of this code; the page's example is rendered from it like a real error. */
  exampleReason: string;
  /** The parameter the example names, when its reason is about one. */
  exampleField?: string;
}

export const CATALOG = {
  parameter_invalid: {
    status: 400,
    title: 'Bad Request',
    description: 'A parameter of the request (path, query, header or body) is missing, unknown, or not in the expected form.',
    causes: [
      'A body that is not JSON, is not sent as `application/json` on a JSON route, or is not a JSON object.',
      'A required field left out, a field the route does not know, or a value of the wrong type or format (a date that is not YYYY-MM-DD, an enum value not in the list).',
      'Text with control characters or lone surrogates, or longer than the field allows; an id or paging cursor that is not one of ours; an amount above the limit.',
      'A GraphQL document that does not parse, does not validate, or is too deep or too costly.',
    ],
    fixes: ['Read `message`: it names the parameter and the rule; `field` holds the parameter and `reason` a stable identifier of the rule.', 'Correct the request and send it again.'],
    exampleReason: 'REQUIRED_FIELD_MISSING',
    exampleField: 'requestedAt',
  },
  invalid_idempotency_key: {
    status: 400,
    title: 'Bad Request',
    description: 'The idempotency key sent with a POST or PATCH cannot be used.',
    causes: [
      'An `Idempotency-Key` (or `X-Quarzo-Life-Idempotency-Key`) header that is empty once surrounding spaces are removed, longer than 255 characters, or holds characters other than visible ASCII.',
      'Both headers sent, with different values.',
    ],
    fixes: ['Leave the header out when the call needs no idempotency.', 'Otherwise send one key per operation (a UUID is a good choice), and the same key again when you retry it.'],
    exampleReason: 'INVALID_IDEMPOTENCY_KEY',
  },
  email_message_invalid_subject: {
    status: 400,
    title: 'Bad Request',
    description: 'The subject of an e-mail queued on POST /v1/emailing/messages is longer than a message may have, or empty.',
    causes: ['A `subject` over 255 characters.', 'A `subject` that is empty once surrounding spaces are removed.'],
    fixes: ['Shorten the subject to 255 characters or fewer (or give one), and send the request again.'],
    exampleReason: 'EMAIL_SUBJECT_INVALID',
    exampleField: 'subject',
  },
  queue_email_message_invalid_idempotency_key: {
    status: 400,
    title: 'Bad Request',
    description: 'The idempotency key sent to POST /v1/emailing/messages is blank or too long.',
    causes: [
      'An `Idempotency-Key` or `X-Quarzo-Life-Idempotency-Key` header that holds only spaces.',
      'A key longer than 255 characters.',
      'Both headers sent, with different values.',
    ],
    fixes: ['Send a key of 1 to 255 characters in either header (a UUID is a good choice), or leave the header out.'],
    exampleReason: 'EMAIL_IDEMPOTENCY_KEY_INVALID',
    exampleField: 'Idempotency-Key',
  },
  queue_email_message_internal_template_rendering_failed: {
    status: 400,
    title: 'Bad Request',
    description: 'The e-mail template named in `content.template_name` cannot be rendered with the variables sent.',
    causes: ['A variable the template uses is missing from `content.variables` (the message names it in our log, never its value).'],
    fixes: ['Send every variable the template needs (docs/EMAIL.md lists them), and send the request again.'],
    exampleReason: 'EMAIL_TEMPLATE_RENDERING_FAILED',
    exampleField: 'content.variables',
  },
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    description: 'The request does not carry credentials we accept.',
    causes: [
      'No session cookie and no bearer token (NO_SESSION).',
      'A bearer token we did not issue: not a JWT, a bad signature, a wrong algorithm, type, issuer or audience (INVALID_BEARER_TOKEN).',
      'An access token past its expiry, or a session that was logged out or has expired (SESSION_EXPIRED).',
      'A wrong e-mail or password on /v1/auth/login (INVALID_CREDENTIALS).',
      'On /v1/auth/token: no certificate serial header (MISSING_CLIENT_CERTIFICATE_SERIAL), a serial that is not hexadecimal (MALFORMED_CLIENT_CERTIFICATE_SERIAL), or a client id, secret or serial that does not match (INVALID_CLIENT_CREDENTIALS).',
      'A webhook whose signature or timestamp does not verify (INVALID_SIGNATURE).',
    ],
    fixes: ['Send a valid token, session cookie or signature.', 'Log in again when the session has expired.'],
    exampleReason: 'NO_SESSION',
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    description: 'The caller is known, but may not perform this operation.',
    causes: [
      'The operation is reserved to other roles, back-office for example (message `INSUFFICIENT_ROLES`).',
      'A write authenticated by the session cookie alone, without the `X-Requested-With` header or a JSON body.',
    ],
    fixes: ['Call with an account whose role allows the operation.', 'Send `X-Requested-With` (or a JSON body) on writes authenticated by cookie.'],
    exampleReason: 'INSUFFICIENT_ROLES',
  },
  resource_not_found: {
    status: 404,
    title: 'Not Found',
    description: 'What the request names does not exist, or is not the caller\'s to see.',
    causes: ['An identifier that matches nothing.', 'Another customer\'s record: the API answers exactly as if it did not exist.', 'A path the API does not serve.'],
    fixes: ['Check the identifiers and the path against the API reference.'],
    exampleReason: 'POLICY_NOT_FOUND',
  },
  compartment_not_found: {
    status: 404,
    title: 'Not Found',
    description: 'The compartment named by the request does not exist in this policy, or is not the caller\'s to see.',
    causes: ['A compartment id that matches nothing, or belongs to another policy.', 'A compartment of a policy the caller may not see.'],
    fixes: ['List the policy\'s compartments and use one of their ids.'],
    exampleReason: 'COMPARTMENT_NOT_FOUND',
  },
  payer_not_found: {
    status: 404,
    title: 'Not Found',
    description: 'The payer named by the request does not exist, or is not the caller\'s to see.',
    causes: ['A `payerId` (in the path, or in a premium request\'s body) that matches no payer.', 'A payer of a subscriber the caller may not see: the API answers exactly as if it did not exist.'],
    fixes: ['Check the payer id; list the subscriber\'s payers, or create the payer first.'],
    exampleReason: 'PAYER_NOT_FOUND',
  },
  payer_subscriber_not_found: {
    status: 404,
    title: 'Not Found',
    description: 'The subscriber whose payers the request names does not exist, or is not the caller\'s to see.',
    causes: ['A `subscriberId` in a `/v1/premium-scheduling/subscribers/{subscriberId}/payers` path that matches no subscriber.', 'A subscriber the caller may not see: the API answers exactly as if it did not exist.'],
    fixes: ['Check the subscriber id, or create the subscriber first.'],
    exampleReason: 'PAYER_SUBSCRIBER_NOT_FOUND',
  },
  duplicate_fund_in_switch: {
    status: 400,
    title: 'Bad Request',
    description: 'A switch names the same fund (ISIN) in more than one leg.',
    causes: ['Two legs with one ISIN, whether both sell, both buy, or one of each.'],
    fixes: ['Merge the legs of that fund into one and send the switch again.'],
    exampleReason: 'DUPLICATE_FUND_IN_SWITCH',
    exampleField: 'legs[1].isin',
  },
  percentage_buy_legs_sum_is_not_10000_basis_points: {
    status: 400,
    title: 'Bad Request',
    description: 'The buy legs, in basis points of the sell proceeds, do not add up to 10000 (100 %).',
    causes: ['Buy legs whose basisPoints add up to less or more than 10000.'],
    fixes: ['Share the whole proceeds among the buy legs: their basisPoints must total 10000.'],
    exampleReason: 'BUY_LEGS_NOT_10000_BASIS_POINTS',
    exampleField: 'legs',
  },
  self_investment_switch_compartment_is_not_self_invested: {
    status: 400,
    title: 'Bad Request',
    description: 'The compartment is managed under a mandate, so its funds are not chosen by switch requests.',
    causes: ['A switch on a compartment delegated to a mandate.'],
    fixes: ['Switch only self-invested compartments; a managed one follows its mandate.'],
    exampleReason: 'COMPARTMENT_NOT_SELF_INVESTED',
  },
  self_investment_switch_position_is_unknown: {
    status: 400,
    title: 'Bad Request',
    description: 'A sell leg names a fund the compartment does not hold.',
    causes: ['A sell leg for a fund never bought, or already sold in full.'],
    fixes: ["Read the compartment's positions and sell only funds it holds."],
    exampleReason: 'SWITCH_POSITION_UNKNOWN',
    exampleField: 'legs[0].isin',
  },
  self_investment_switch_share_valuation_is_unknown: {
    status: 400,
    title: 'Bad Request',
    description: 'A leg names a unit-linked fund without a known share valuation (NAV), or a fund not in the catalogue.',
    causes: ['No NAV has been loaded for that fund yet.', 'The ISIN names no fund of the catalogue.'],
    fixes: ['Check the fund and its valuations (GET /v1/investments/funds/{isin}) and retry once a NAV is known.'],
    exampleReason: 'SWITCH_SHARE_VALUATION_UNKNOWN',
    exampleField: 'legs[1].isin',
  },
  attempt_to_sell_full_position_in_amount: {
    status: 400,
    title: 'Bad Request',
    description: 'A sell leg asks, as an amount, for the whole value of a position.',
    causes: ["A sell leg in AMOUNT equal to the position's value."],
    fixes: ['Sell a whole position as 10000 BASIS_POINT_OF_CURRENT_POSITION: its value moves until the NAV it is priced at.'],
    exampleReason: 'FULL_POSITION_SOLD_IN_AMOUNT',
    exampleField: 'legs[0].amount',
  },
  attempt_to_buy_in_amount_when_selling_full_position: {
    status: 400,
    title: 'Bad Request',
    description: 'A buy leg is an amount while a sell leg sells a whole position, whose proceeds are not known until it is priced.',
    causes: ['A sell leg of 10000 BASIS_POINT_OF_CURRENT_POSITION with a buy leg in AMOUNT.'],
    fixes: ['Express every buy leg in BASIS_POINT_OF_SELL_PROCEED when a sell leg sells a whole position.'],
    exampleReason: 'BUY_IN_AMOUNT_WHILE_SELLING_FULL_POSITION',
    exampleField: 'legs[1].unit',
  },
  legs_are_not_balanced: {
    status: 400,
    title: 'Bad Request',
    description: 'The buy legs in amounts do not add up to the sell legs in amounts.',
    causes: ['Sell amounts totalling more or less than the buy amounts.'],
    fixes: ['Make the buy amounts add up exactly to the sell amounts, or buy in BASIS_POINT_OF_SELL_PROCEED.'],
    exampleReason: 'LEGS_NOT_BALANCED',
    exampleField: 'legs',
  },
  insufficient_funds_in_percentage: {
    status: 400,
    title: 'Bad Request',
    description: 'A sell leg asks for more than 10000 basis points (100 %) of a position.',
    causes: ['basisPoints above 10000 on a BASIS_POINT_OF_CURRENT_POSITION sell leg.'],
    fixes: ['Sell at most 10000 basis points: all of the position.'],
    exampleReason: 'SELL_ABOVE_10000_BASIS_POINTS',
    exampleField: 'legs[0].basisPoints',
  },
  insufficient_funds: {
    status: 422,
    title: 'Unprocessable Content',
    description: 'A sell leg asks for more money than the position is worth at its latest NAV.',
    causes: ["A sell amount above the position's value.", 'Positions read before the NAV moved.'],
    fixes: ['Read the positions again and sell at most what they are worth.'],
    exampleReason: 'SELL_ABOVE_POSITION_VALUE',
    exampleField: 'legs[0].amount',
  },
  position_might_be_insufficient_due_to_market_drop_down: {
    status: 422,
    title: 'Unprocessable Content',
    description: 'A sell leg sells more than 9000 basis points (90 %) of a position without selling all of it: a fall of the market before pricing could leave too little.',
    causes: ["A sell of 9001 to 9999 basis points, or an amount above 90 % of the position's value."],
    fixes: ['Sell the whole position (10000 basis points), or at most 9000 basis points of it.'],
    exampleReason: 'SELL_ABOVE_9000_BASIS_POINTS_WITHOUT_SELLING_ALL',
    exampleField: 'legs[0].basisPoints',
  },
  remaining_position_might_be_lower_than_1_share_value: {
    status: 422,
    title: 'Unprocessable Content',
    description: 'A partial sell would leave less than the value of one share of the fund.',
    causes: ["A sell that leaves a remainder smaller than one share's NAV."],
    fixes: ['Sell less, or sell the whole position.'],
    exampleReason: 'REMAINING_POSITION_BELOW_ONE_SHARE',
    exampleField: 'legs[0].amount',
  },
  position_after_buying_would_be_lower_than_1_share_value: {
    status: 422,
    title: 'Unprocessable Content',
    description: 'A buy leg would leave the position in that fund worth less than one of its shares.',
    causes: ["A buy too small for the fund's NAV."],
    fixes: ["Buy at least one share's worth of the fund, or leave it out."],
    exampleReason: 'POSITION_AFTER_BUYING_BELOW_ONE_SHARE',
    exampleField: 'legs[1].basisPoints',
  },
  method_not_allowed: {
    status: 405,
    title: 'Method Not Allowed',
    description: 'The path exists, but not with this HTTP method.',
    causes: ['A GET on a path that only takes POST, for example.'],
    fixes: ['Use one of the methods the `Allow` response header lists.'],
    exampleReason: 'METHOD_NOT_ALLOWED',
  },
  conflict: {
    status: 409,
    title: 'Conflict',
    description: 'The request cannot be carried out in the current state of the resource.',
    causes: [
      'A state change that is not allowed from the current state (the message names it).',
      'Something that already exists or is already open: an IBAN registered twice, a second total surrender.',
      'The same idempotency key while its first request is still running.',
      'On POST /v1/emailing/messages, an idempotency key the caller already used: the message is never queued twice (IDEMPOTENCY_KEY_ALREADY_USED).',
      'Money has already left the policy: a withdrawal after a surrender was declared or paid (WITHDRAWAL_AFTER_SURRENDER).',
    ],
    fixes: ['Read the resource again and decide whether the change still makes sense.'],
    exampleReason: 'TOTAL_SURRENDER_ALREADY_OPEN',
  },
  delete_payer_personal_iban_default_iban: {
    status: 409,
    title: 'Conflict',
    description: 'The payer\'s personal IBAN cannot be deleted while it is the payer\'s default IBAN.',
    causes: ['A DELETE of the IBAN marked as the payer\'s default (a payer\'s only IBAN is always its default).'],
    fixes: ['Make another of the payer\'s IBANs the default first (`PATCH .../ibans/{iban}/make-default`), then delete this one.'],
    exampleReason: 'PAYER_DEFAULT_IBAN_CANNOT_BE_DELETED',
    exampleField: 'iban',
  },
  precondition_failed: {
    status: 412,
    title: 'Precondition Failed',
    description: 'The version named in `If-Match` is no longer the current one.',
    causes: ['The resource changed since you read it.'],
    fixes: ['GET the resource again, apply your change to it, and send the PUT with the new ETag.'],
    exampleReason: 'STALE_VERSION',
  },
  payload_too_large: {
    status: 413,
    title: 'Payload Too Large',
    description: 'The request body is larger than the server accepts.',
    causes: ['A body over the limit (1 MiB by default).'],
    fixes: ['Send a smaller body.'],
    exampleReason: 'BODY_TOO_LARGE',
  },
  unprocessable_content: {
    status: 422,
    title: 'Unprocessable Content',
    description: 'The request is well formed, but a business rule refuses it.',
    causes: ['A rule such as a deadline, a minimum or a limit applies; the message names it.', 'An idempotency key used again with a different request.'],
    fixes: ['Read `message`: it names the rule; `reason` identifies it for code.'],
    exampleReason: 'PARTIAL_SURRENDER_EXCEEDS_COMPARTMENT_VALUE',
    exampleField: 'amount',
  },
  precondition_required: {
    status: 428,
    title: 'Precondition Required',
    description: 'This write needs an `If-Match` header.',
    causes: ['A PUT sent without `If-Match`.'],
    fixes: ['GET the resource and send its ETag in `If-Match`.'],
    exampleReason: 'IF_MATCH_REQUIRED',
  },
  rate_limited: {
    status: 429,
    title: 'Too Many Requests',
    description: 'Too many requests in a short time; the `Retry-After` header says when to try again.',
    causes: ['Repeated failed logins for one account or from one address.', 'Too many one-time signing codes asked for in an hour (TOO_MANY_OTP_REQUESTS).'],
    fixes: ['Wait the number of seconds given in `Retry-After`.'],
    exampleReason: 'TOO_MANY_LOGIN_ATTEMPTS',
  },
  internal_server_error: {
    status: 500,
    title: 'Internal Server Error',
    description: 'Something failed on our side. The error carries a `requestId` to quote to support.',
    causes: ['A fault in the service or in a system it depends on.'],
    fixes: ['Retry later if the operation is safe to repeat.', 'If it persists, contact support with the `requestId`.'],
    exampleReason: 'INTERNAL_ERROR',
  },
  service_unavailable: {
    status: 503,
    title: 'Service Unavailable',
    description: 'The service cannot answer right now, for example while its database is unreachable.',
    causes: ['The database is down or starting.'],
    fixes: ['Retry after a short wait.'],
    exampleReason: 'DATABASE_UNAVAILABLE',
  },
} satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof CATALOG;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CATALOG, value);
}

export function docUrl(docsBaseUrl: string, code: ErrorCode): string {
  return `${docsBaseUrl}/errors/${code}`;
}
