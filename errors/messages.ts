/**
 * The sentence for people that goes out as an error's `message`, one per stable reason. The reason
 * itself goes out beside it as `reason` (clients switch on that); the sentence names the parameter or
 * the rule, as a person reading a log or a support ticket needs it. 401s and INSUFFICIENT_ROLES are
 * the exception: their documented message is the reason (errors/envelope.ts).
 *
 * A sentence is text, or a function of the parameter at fault (already quoted, e.g. "`requestedAt`")
 * and, for a value of the wrong form, of the type it should have had. Reasons built from a state or a
 * name (`CANNOT_SUSPEND_IN_STATE_CLOSED`, `POLICY_NOT_FOUND`) have a pattern instead. A unit test
 * (test/unit/errors/messages.test.ts) scans the source so that no reason ships without a sentence.
 */
type Sentence = string | ((field: string, expected?: string) => string);

/** How a value of a GraphQL type must be written, for "`x` must be ..." sentences. */
const EXPECTED_FORM: Record<string, string> = {
  LocalDate: 'a date in the form YYYY-MM-DD',
  DateTime: 'a date and time in RFC 3339 form, such as 2026-01-31T09:30:00Z',
  Int: 'a whole number',
  SafeInt: 'a whole number',
  Float: 'a number',
  Boolean: 'true or false',
  String: 'a string',
  ID: 'an identifier',
  IBAN: 'a valid IBAN',
  Currency: 'an ISO 4217 currency code such as EUR',
  CountryCode: 'an ISO 3166 two-letter country code',
  EmailAddress: 'an e-mail address',
  PhoneNumber: 'a phone number in international form, such as +33612345678',
};

function mustBe(field: string, expected?: string): string {
  if (expected === undefined) return `${field} does not have the expected type or format.`;
  const form = EXPECTED_FORM[expected];
  if (form) return `${field} must be ${form}.`;
  // An enum or an input object: its allowed values are listed in the API reference.
  return `${field} must be one of the values the API reference lists for it.`;
}

const SENTENCES: Record<string, Sentence> = {
  // Request form (400 parameter_invalid)
  MALFORMED_JSON: 'The request body is not valid JSON.',
  BODY_MUST_BE_A_JSON_OBJECT: 'The request body must be a JSON object.',
  BODY_NESTED_TOO_DEEP: 'The request body is nested too deeply.',
  UNSUPPORTED_CONTENT_TYPE: 'The request body must be sent as application/json (or as a form, application/x-www-form-urlencoded, where the route takes one).',
  REQUIRED_FIELD_MISSING: (f) => `${f} is required.`,
  UNKNOWN_FIELD: (f) => `${f} is not a parameter of this operation.`,
  INVALID_FIELD_VALUE: mustBe,
  TOO_LONG: (f) => `${f} is longer than allowed.`,
  INVALID_CHARACTERS: (f) => `${f} contains characters that are not allowed (control characters or unpaired surrogates).`,
  INVALID_ID: (f) => `${f} is not a valid UUID.`,
  UNKNOWN_ENTITY_TYPE: (f) => `${f} is not an entity type of this subgraph.`,
  INVALID_REPRESENTATION: (f) => `${f} is not a representation of one of our entities (an object with __typename and its key fields).`,
  INVALID_CURSOR: (f) => `${f} is not a cursor returned by this API.`,
  AMOUNT_ABOVE_MAXIMUM: (f) => `${f} is above the largest amount the API accepts.`,
  PAGE_SIZE_OUT_OF_RANGE: (f) => `${f} must be a whole number from 1 to 100.`,
  INVALID_PAGE: (f) => `${f} must be a positive whole number.`,
  PAGE_WITH_CURSOR: (f) => `${f} cannot be combined with a cursor (after); use one way of paging.`,
  INVALID_PERIOD: (f) => `${f} must be a month in the form YYYY-MM.`,
  PERIOD_BEFORE_FROM: (f) => `${f} must not be before \`from\`.`,
  QUERY_TOO_DEEP: 'The GraphQL document nests selections deeper than allowed.',
  TOO_MANY_ALIASES: 'The GraphQL document uses more aliases than allowed.',
  QUERY_TOO_COSTLY: 'The GraphQL document selects more fields than allowed once fragments are expanded.',
  INVALID_GRAPHQL_REQUEST: 'The GraphQL request is not valid.',
  INVALID_IDEMPOTENCY_KEY: 'The idempotency key must be 1 to 255 visible ASCII characters once trimmed, and the same in both headers when both are sent.',
  UNSUPPORTED_GRANT_TYPE: (f) => `${f} must be client_credentials.`,
  SIGNATURE_ID_MISSING: (f) => `${f} is required: the event must name the signature.`,
  DECLARATION_ID_MISSING: (f) => `${f} is required: the event must name the surrender declaration.`,
  REJECTION_REASON_MISSING: (f) => `${f} is required when a payment is rejected.`,
  WEBHOOK_TYPE_MISSING: (f) => `${f} is required: the event must say what it reports.`,

  // Field rules
  REASON_REQUIRED: (f) => `${f} is required and must be at most 500 characters.`,
  REFUSAL_REASON_REQUIRED: (f) => `${f} is required when refusing.`,
  NOT_ALLOWED_FOR_ROLE: (f) => `${f} may not be sent by this kind of caller.`,
  COMPARTMENT_CODE_NOT_ALLOWED: (f) => `${f} is not a compartment this product offers.`,
  AMOUNT_NOT_POSITIVE_MINOR_UNITS: (f) => `${f} must be a positive whole number of minor units (cents).`,
  VALUE_NOT_POSITIVE_INTEGER: (f) => `${f} must be a positive whole number (the amount without its decimal point, as \`scale\` says).`,
  SCALE_NOT_POSITIVE_INTEGER: (f) => `${f} must be a positive whole number: how many of \`value\`'s digits are decimals (2 for cents).`,
  CURRENCY_NOT_ACCEPTED: (f) => `${f} must be EUR.`,
  AMOUNT_FINER_THAN_MINOR_UNIT: (f) => `${f} gives an amount finer than a cent; send a whole number of cents.`,
  REQUESTED_AT_IN_THE_FUTURE: (f) => `${f} is after today; give the date the subscriber asked, today at the latest.`,
  REQUESTED_AT_BEFORE_POLICY_ISSUE: (f) => `${f} is before the policy was issued.`,
  EARLY_RELEASE_ONLY_FOR_PER: (f) => `${f} applies only to a PER; leave it out for an assurance-vie.`,
  AMOUNT_MUST_BE_POSITIVE_MINOR_UNITS: (f) => `${f} must be a positive whole number of minor units (cents).`,
  CURRENCY_NOT_OFFERED: (f) => `${f} is not the currency of this product.`,
  PAYMENT_BELOW_PRODUCT_MINIMUM: (f) => `${f} is below the product's minimum payment.`,
  FUND_NOT_IN_PRODUCT: (f) => `${f} is not a fund this product offers.`,
  FUND_LISTED_TWICE: (f) => `${f} names a fund already in the allocation.`,
  ALLOCATION_NOT_100_PERCENT: (f) => `${f} must add up to exactly 100% (10000 basis points).`,
  SHARE_OUT_OF_RANGE: (f) => `${f} must be from 1 to 10000 basis points.`,
  EXACTLY_ONE_CLAUSE_REQUIRED: (f) => `${f} must hold exactly one of a standard clause and a custom clause.`,
  EXACTLY_ONE_OF_STANDARD_CLAUSE_OR_BENEFICIARIES: (f) => `${f}: give exactly one of a standard clause and a list of beneficiaries.`,
  UNKNOWN_STANDARD_CLAUSE: (f) => `${f} is not one of the standard clauses.`,
  INSUREE_UNDER_AGE: (f) => `${f} names an insuree younger than this product allows.`,
  INSUREE_OVER_AGE: (f) => `${f} names an insuree older than this product allows.`,
  SUBSCRIBER_UNDER_AGE: (f) => `${f}: the subscriber must be of age.`,
  BIRTH_DATE_INVALID: (f) => `${f} must be a date in the form YYYY-MM-DD.`,
  BIRTH_DATE_BEFORE_1900: (f) => `${f} must not be before 1900.`,
  BIRTH_DATE_IN_FUTURE: (f) => `${f} must not be in the future.`,
  COUNTRY_CODE_INVALID: (f) => `${f} must be an ISO 3166 two-letter country code.`,
  POSTAL_CODE_INVALID: (f) => `${f} is not a postal code of that country.`,
  PHONE_INVALID: (f) => `${f} is not a valid phone number.`,
  IBAN_MALFORMED: (f) => `${f} is not written as an IBAN (two letters, two check digits, then letters and digits).`,
  IBAN_COUNTRY_NOT_SEPA: (f) => `${f} is from a country outside the SEPA area.`,
  IBAN_WRONG_LENGTH: (f) => `${f} does not have the length of an IBAN of its country.`,
  IBAN_CHECKSUM_FAILED: (f) => `${f} has wrong check digits: check it for a typing mistake.`,
  NOT_BASE64: (f) => `${f} must be non-empty base64.`,
  FILE_TOO_LARGE: (f) => `${f} holds a file larger than the upload limit.`,
  CONTENT_TYPE_NOT_ACCEPTED: (f) => `${f} is not a file type accepted here (PDF, JPEG or PNG).`,
  CONTENT_DOES_NOT_MATCH_TYPE: (f) => `${f} does not hold a file of the declared content type.`,
  FILE_NAME_INVALID: (f) => `${f} must be 1 to 120 letters, digits, spaces, dots, dashes or underscores.`,
  UNKNOWN_CATEGORY: (f) => `${f} is not one of the support request categories.`,
  SUBJECT_REQUIRED: (f) => `${f} must not be empty.`,
  SUBJECT_TOO_LONG: (f) => `${f} is longer than 200 characters.`,
  SUBJECT_NOT_ONE_LINE: (f) => `${f} must be a single line without control characters.`,
  MESSAGE_REQUIRED: (f) => `${f} must not be empty once trimmed.`,
  MESSAGE_TOO_LONG: (f) => `${f} is longer than 5000 characters.`,
  MESSAGE_INVALID_CHARACTERS: (f) => `${f} contains control characters other than line breaks and tabs.`,
  AT_LEAST_ONE_BENEFICIARY_REQUIRED: (f) => `${f} must name at least one beneficiary.`,
  TOO_MANY_BENEFICIARIES: (f) => `${f} names more beneficiaries than allowed (20).`,
  UNKNOWN_BENEFICIARY: (f) => `${f} does not name a beneficiary of this policy.`,
  BENEFICIARY_LISTED_TWICE: (f) => `${f} names a beneficiary already listed.`,
  RANK_OUT_OF_RANGE: (f) => `${f} must be from 1 to 10.`,
  ACCEPTANCE_RECORDED_SEPARATELY: (f) => `${f} cannot be set here: acceptances are recorded on their own.`,
  NOT_AN_ACCEPTED_BENEFICIARY: (f) => `${f} does not name a beneficiary who has accepted.`,
  CONSENT_LISTED_TWICE: (f) => `${f} names a beneficiary whose consent is already listed.`,
  CONSENT_DOCUMENT_LISTED_TWICE: (f) => `${f} names a consent document already listed.`,
  CONSENT_DOCUMENT_NOT_FOUND: (f) => `${f} does not name a consent document of this policy.`,
  CONSENT_DOCUMENT_NAMES_ANOTHER_BENEFICIARY: (f) => `${f} names a consent document given for another beneficiary.`,
  CONSENT_DOCUMENT_NOT_ACCEPTED: (f) => `${f} names a consent document that back-office has not accepted.`,
  CONSENT_DOCUMENT_ALREADY_USED: (f) => `${f} names a consent document already used for an earlier change.`,
  CONSENT_MUST_NAME_BENEFICIARY: (f) => `${f} is required for a consent: it names the beneficiary who consents.`,
  UNKNOWN_PRODUCT: (f) => `${f} does not name a product we sell.`,
  UNKNOWN_INSUREE: (f) => `${f} does not name an insuree you may see.`,
  UNKNOWN_DISTRIBUTOR: (f) => `${f} does not name a distributor.`,
  DOCUMENT_ITEM_REQUIRED: (f) => `${f} is required: say which required document this file is.`,
  CONFIRMATION_CODE_REQUIRED: (f) => `${f} is required when anyone but the subscriber confirms the IBAN.`,
  CONFIRMATION_CODE_INVALID: (f) => `${f} is not the confirmation code we sent.`,
  CONFIRMATION_CODE_EXPIRED: (f) => `${f} has expired: ask for a new confirmation code.`,
  CONFIRMATION_CODE_TOO_MANY_ATTEMPTS: (f) => `${f} was wrong too many times: ask for a new confirmation code.`,
  OTP_INVALID: (f) => `${f} is not the one-time code we sent.`,
  OTP_EXPIRED: (f) => `${f} has expired: ask for a new one-time code.`,
  OTP_TOO_MANY_ATTEMPTS: (f) => `${f} was wrong too many times: ask for a new one-time code.`,
  ESIGN_NOT_CONFIGURED: (f) => `${f}: electronic signature is not available on this server; sign with a one-time code.`,

  // Access
  CSRF_HEADER_REQUIRED: 'A write authenticated by the session cookie must send the X-Requested-With header or a JSON body.',

  // Not found (404)
  ROUTE_NOT_FOUND: 'There is no such path in this API.',
  UNKNOWN_WEBHOOK_SOURCE: 'No webhook source of this name is configured.',
  EVIDENCE_SUBJECT_NOT_FOUND: (f) => `${f} does not name something you may attach evidence to.`,

  // Business rules (422 unprocessable_content)
  IDEMPOTENCY_KEY_REUSED: 'This idempotency key was already used for a different request; use a new key for a new operation.',
  PAYOUT_IBAN_LIMIT_REACHED: 'This subscriber already has the largest number of payout IBANs allowed.',
  CONFIRMATION_CODE_LIMIT_REACHED: 'No more confirmation codes can be sent for this IBAN.',
  PAYOUT_IBAN_NOT_CONFIRMED: 'This payout IBAN is not confirmed yet.',
  PAYOUT_IBAN_NOT_FOUND: (f) => `${f} does not name a payout IBAN of this subscriber.`,
  NO_CONFIRMED_PAYOUT_IBAN: 'The subscriber has no confirmed payout IBAN to pay the surrender to.',
  NOT_AN_EARLY_RELEASE_DECLARATION: (f) => `${f} does not name a surrender declared as an early release.`,
  DOCUMENT_ITEM_NOT_REQUIRED_FOR_CASE: (f) => `${f} is not one of the documents this early-release case requires.`,
  SURRENDER_CURRENCY_MISMATCH: (f) => `${f} must be the currency of the compartment.`,
  PARTIAL_SURRENDER_BELOW_PRODUCT_MINIMUM: (f) => `${f} is below the smallest partial surrender this product allows.`,
  PARTIAL_SURRENDER_EXCEEDS_COMPARTMENT_VALUE: (f) => `${f} is more than the compartment holds.`,
  PARTIAL_SURRENDER_BELOW_MINIMUM_REMAINING_BALANCE: (f) => `${f} would leave less in the compartment than the product's minimum balance.`,
  NOTHING_TO_SURRENDER: 'There is nothing to surrender: the policy holds no value.',
  UNKNOWN_SURRENDER_DECLARATION: (f) => `${f} does not name a surrender declaration.`,
  PER_EARLY_RELEASE_CASE_REQUIRED: (f) => `${f} is required for a PER: it must name the early-release case.`,
  PER_EARLY_RELEASE_CASE_NOT_ALLOWED: (f) => `${f} is not an early-release case the law allows.`,
  MAIN_RESIDENCE_NOT_FROM_C3: (f) => `${f}: buying the main residence can only be paid from voluntary payments (compartment C3).`,
  ACCEPTANCE_ENDORSEMENT_NOT_FOUND: (f) => `${f} does not name an acceptance endorsement of this policy.`,
  ACCEPTANCE_ENDORSEMENT_NAMES_ANOTHER_BENEFICIARY: (f) => `${f} names an endorsement for another beneficiary.`,
  ACCEPTANCE_ENDORSEMENT_REFUSED: (f) => `${f} names an endorsement that back-office refused.`,
  ACCEPTANCE_DATE_IN_FUTURE: (f) => `${f} must not be in the future.`,
  ACCEPTANCE_BEFORE_END_OF_WITHDRAWAL_PERIOD: (f) => `${f} must not be before the end of the withdrawal period.`,
  EVIDENCE_LIMIT_REACHED: (f) => `${f} already has the largest number of evidence documents allowed.`,
  LETTER_RECEIVED_IN_THE_FUTURE: (f) => `${f} must not be in the future.`,
  LETTER_RECEIVED_BEFORE_SIGNATURE: (f) => `${f} must not be before the subscription was signed.`,
  WITHDRAWAL_PERIOD_ENDED: 'The withdrawal period of this subscription has ended.',
  SUPPORTING_DOCUMENT_LIMIT_REACHED: 'This subscription already has the largest number of supporting documents allowed.',
  UNKNOWN_SIGNATURE: 'The signature this event names is not one we started.',

  // State conflicts (409 conflict)
  IDEMPOTENT_REQUEST_IN_PROGRESS: 'A request with this idempotency key is still running; retry once it has finished.',
  IBAN_ALREADY_REGISTERED: (f) => `${f} is already registered for this subscriber.`,
  PAYOUT_IBAN_NOT_PENDING_CONFIRMATION: 'This payout IBAN is not waiting for confirmation.',
  NO_PENDING_CONFIRMATION_CODE: 'No confirmation code is pending for this IBAN: ask for one first.',
  PAYOUT_IBAN_NOT_AWAITING_REVIEW: 'This payout IBAN is not waiting for review.',
  PAYOUT_IBAN_ALREADY_DECIDED: 'This payout IBAN has already been decided on.',
  PAYOUT_IBANS_CHANGED_CONCURRENTLY: 'The payout IBANs changed while this request ran; read them again and retry.',
  COMPARTMENT_ALREADY_EXISTS: 'This policy already has a compartment of that code.',
  COMPARTMENT_CHANGED_CONCURRENTLY: 'The compartment changed while this request ran; read it again and retry.',
  COMPARTMENT_VALUE_BELOW_SURRENDER_AMOUNT: 'The compartment no longer holds the amount being surrendered.',
  REFUND_EXCEEDS_PREMIUMS_NET_OF_PAYOUTS: 'The refund would exceed the premiums paid less what was already paid out.',
  WITHDRAWAL_AFTER_SURRENDER: 'The subscription cannot be withdrawn: a surrender has been declared or paid on its policy.',
  WITHDRAWAL_ALREADY_REFUNDED: 'The premiums of this policy have already been refunded.',
  NO_PREMIUM_TO_REFUND: 'No premium has been paid, so there is nothing to refund.',
  TOTAL_SURRENDER_ALREADY_OPEN: 'A total surrender is already open for this policy.',
  PARTIAL_SURRENDER_OPEN: 'A partial surrender is still open for this policy; it must be settled first.',
  SURRENDER_NOT_AWAITING_DOCUMENTS: 'This surrender is not waiting for documents.',
  ACCEPTED_BENEFICIARY_CONSENT_REQUIRED: (f) => `${f} must include the consent of every beneficiary who has accepted and is being changed.`,
  BENEFICIARY_ALREADY_ACCEPTED: 'This beneficiary has already accepted.',
  SUPPORT_REQUEST_CHANGED_CONCURRENTLY: 'The support request changed while this request ran; read it again and retry.',
  EVIDENCE_ALREADY_REVIEWED: 'This evidence has already been reviewed.',
  NO_POLICY_ISSUED: 'No policy has been issued for this subscription yet.',
  NO_PENDING_OTP_SIGNATURE: 'This subscription has no one-time-code signature waiting for a code.',
  SUBSCRIBER_PROFILE_ALREADY_EXISTS: 'This login already has a subscriber profile.',
  SUBSCRIPTION_CHANGED_CONCURRENTLY: 'The subscription changed while this request ran; read it again and retry.',
  CHANGED_CONCURRENTLY: 'Another request changed the same data at the same moment; read it again and retry.',

  // Other statuses our own codes cover
  METHOD_NOT_ALLOWED: 'This path does not accept this HTTP method; the Allow header lists those it does.',
  STALE_VERSION: 'The resource changed since the version named in If-Match; read it again and retry.',
  ETAG_NOT_MATCHED: 'If-Match does not name a current version of this resource; read it again and retry.',
  IF_MATCH_REQUIRED: 'This write needs an If-Match header holding the ETag of the version you read.',
  BODY_TOO_LARGE: 'The request body is larger than this route accepts.',
  TOO_MANY_LOGIN_ATTEMPTS: 'Too many failed logins; wait for the time given in Retry-After.',
  TOO_MANY_OTP_REQUESTS: 'Too many one-time codes were asked for; wait for the time given in Retry-After.',
  INTERNAL_ERROR: 'An unexpected error occurred. Quote the requestId to support if it persists.',
  DATABASE_UNAVAILABLE: 'The service is unavailable for a moment; retry shortly.',
  SUBGRAPH_UNAVAILABLE: 'A part of the API behind the GraphQL front did not answer; its fields are null for now. Retry shortly.',
  SUBGRAPH_ERROR: 'Another part of the API behind the GraphQL front reported an error for these fields; its own message and code say what.',
};

const words = (upper: string) => upper.toLowerCase().replaceAll('_', ' ');

/** Reasons built from a name or a state; each names its parts in the sentence. */
const PATTERNS: Array<[RegExp, (match: RegExpExecArray) => string]> = [
  [/^CANNOT_MOVE_TO_(\w+)_IN_STATE_(\w+)$/, (m) => `A support request that is ${words(m[2])} cannot move to ${words(m[1])}.`],
  [/^CANNOT_SURRENDER_POLICY_IN_STATE_(\w+)$/, (m) => `Only an active policy can be surrendered; this one is ${words(m[1])}.`],
  [/^CANNOT_SURRENDER_FROM_COMPARTMENT_IN_STATE_(\w+)$/, (m) => `Nothing can be surrendered from a compartment that is ${words(m[1])}.`],
  [/^CANNOT_UPLOAD_IN_STATE_(\w+)$/, (m) => `Documents cannot be uploaded to a subscription that is ${words(m[1])}.`],
  [/^CANNOT_(\w+)_IN_POLICY_STATE_(\w+)$/, (m) => `The policy is ${words(m[2])}: only an active policy allows this (${words(m[1])}).`],
  [/^CANNOT_(\w+)_IN_STATE_(\w+)$/, (m) => `This cannot be done (${words(m[1])}) while it is ${words(m[2])}.`],
  [/^RANK_(\w+?)_HAS_NO_BENEFICIARY$/, (m) => `Ranks must follow one another: rank ${m[1]} has no beneficiary.`],
  [/^SHARES_OF_RANK_(\w+?)_NOT_100_PERCENT$/, (m) => `The shares of rank ${m[1]} must add up to exactly 100% (10000 basis points).`],
  // notFound(what) in domain/shared/access.ts: someone else's record reads as a missing one.
  [/^(\w+)_NOT_FOUND$/, (m) => `No ${words(m[1])} with this id exists, or you may not see it.`],
];

const quoted = (field: string | undefined) => (field ? `\`${field}\`` : 'A parameter');
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The sentence for a reason, or undefined when none is written (the unit test keeps that from shipping). */
export function sentenceFor(reason: string, field?: string, expected?: string): string | undefined {
  const sentence = Object.prototype.hasOwnProperty.call(SENTENCES, reason) ? SENTENCES[reason] : undefined;
  if (typeof sentence === 'string') return sentence;
  if (sentence) return capitalized(sentence(quoted(field), expected));
  for (const [pattern, write] of PATTERNS) {
    const match = pattern.exec(reason);
    if (match) return write(match);
  }
  return undefined;
}
