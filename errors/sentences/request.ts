import type { Sentence } from './sentence';

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
  EmailVariables: 'an object of at most 50 values (text, numbers, true/false or null), named with letters, digits and _',
};

function mustBe(field: string, expected?: string): string {
  if (expected === undefined) return `${field} does not have the expected type or format.`;
  const form = EXPECTED_FORM[expected];
  if (form) return `${field} must be ${form}.`;
  // An enum or an input object: its allowed values are listed in the API reference.
  return `${field} must be one of the values the API reference lists for it.`;
}

/** The request's form (400 parameter_invalid): the body, the fields' types and formats, paging, GraphQL documents, the e-mailing route's words, webhooks' payloads. */
export const REQUEST_SENTENCES: Record<string, Sentence> = {
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
  // Apollo's persisted-query protocol: the messages clients see are Apollo's exact words (execution/persisted-documents.ts).
  PERSISTED_QUERY_NOT_FOUND: 'The server does not hold a document with this hash: send the request again with `query` beside the hash.',
  PERSISTED_QUERY_NOT_SUPPORTED: 'Automatic persisted queries are off on this server: send the document in `query`.',
  DOCUMENT_NOT_TRUSTED: 'This server runs trusted documents only: send the hash of a document from its manifest, or that document\'s exact text.',
  // The e-mailing route's documented messages, word for word.
  EMAIL_IDEMPOTENCY_KEY_INVALID: 'The provided idempotency key is invalid.',
  EMAIL_SUBJECT_INVALID: 'The provided subject is invalid.',
  EMAIL_INVALID: (f) => `${f} must be an e-mail address, such as name@example.com.`,
  EMAIL_TEMPLATE_RENDERING_FAILED: (f) => `The template cannot be rendered with ${f}: a variable it uses is missing.`,
  UNKNOWN_EMAIL_TEMPLATE: (f) => `${f} does not name one of our e-mail templates.`,
  SENDER_NOT_ALLOWED: (f) => `${f} must be one of our sender addresses.`,
  INVALID_IDEMPOTENCY_KEY: 'The idempotency key must be 1 to 255 visible ASCII characters once trimmed, and the same in both headers when both are sent.',
  UNSUPPORTED_GRANT_TYPE: (f) => `${f} must be client_credentials.`,
  SIGNATURE_ID_MISSING: (f) => `${f} is required: the event must name the signature.`,
  DECLARATION_ID_MISSING: (f) => `${f} is required: the event must name the surrender declaration.`,
  REJECTION_REASON_MISSING: (f) => `${f} is required when a payment is rejected.`,
  COLLECTION_TYPE_INVALID: (f) => `${f} must be single_premium_request or scheduled_premium_collection.`,
  COLLECTION_ID_MISSING: (f) => `${f} is required: the event must name the premium collection.`,
  REJECTION_CODE_INVALID: (f) => `${f} must be the ISO 20022 reason code of the rejection (four capital letters or digits, e.g. AM04).`,
  REJECTION_REASON_INVALID: (f) => `${f} must be text when sent.`,
  WEBHOOK_TYPE_MISSING: (f) => `${f} is required: the event must say what it reports.`,
};
