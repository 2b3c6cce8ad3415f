import { BUSINESS_RULE_SENTENCES } from './sentences/business-rules';
import { CONFLICT_SENTENCES } from './sentences/conflicts';
import { FIELD_RULE_SENTENCES } from './sentences/field-rules';
import { REQUEST_SENTENCES } from './sentences/request';
import type { Sentence } from './sentences/sentence';
import { STATUS_SENTENCES } from './sentences/statuses';

/**
 * The sentence for people that goes out as an error's `message`, one per stable reason. The reason
 * itself goes out beside it as `reason` (clients switch on that); the sentence names the parameter or
 * the rule, as a person reading a log or a support ticket needs it. 401s and INSUFFICIENT_ROLES are
 * the exception: their documented message is the reason (errors/envelope.ts).
 *
 * The sentences live in errors/sentences/, one file per kind of error; a reason has one sentence in
 * all of them. Reasons built from a state or a name (`CANNOT_SUSPEND_IN_STATE_CLOSED`,
 * `POLICY_NOT_FOUND`) have a pattern instead. A unit test (test/unit/errors/messages.test.ts) scans
 * the source so that no reason ships without a sentence, and checks that none has two.
 */
export const SENTENCE_GROUPS: ReadonlyArray<Readonly<Record<string, Sentence>>> = [REQUEST_SENTENCES, FIELD_RULE_SENTENCES, STATUS_SENTENCES, BUSINESS_RULE_SENTENCES, CONFLICT_SENTENCES];

const SENTENCES: Record<string, Sentence> = Object.assign({}, ...SENTENCE_GROUPS);

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
