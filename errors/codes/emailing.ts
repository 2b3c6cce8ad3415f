import type { CatalogEntry } from './catalog-entry';

/** The e-mailing route's own codes (POST /v1/emailing/messages). */
export const EMAILING_CODES = {
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
} satisfies Record<string, CatalogEntry>;
