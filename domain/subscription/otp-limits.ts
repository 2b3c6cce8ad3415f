import { AppError } from '../../errors/app-error';

/** One-time codes sent for one subscription in any rolling hour: each one is an SMS to the subscriber. */
export const OTP_CODES_PER_SUBSCRIPTION_PER_HOUR = 3;
/** One-time codes sent to one subscriber in any rolling hour, across their subscriptions. */
export const OTP_CODES_PER_SUBSCRIBER_PER_HOUR = 10;
export const OTP_WINDOW_SECONDS = 3600;

/** A code already sent: for which subscription, and when. */
export interface SentOtp {
  subscriptionId: string;
  at: Date;
}

/**
 * Whether another code may be sent for `subscriptionId` now, given the codes sent to the same subscriber
 * in the last hour: a failed or expired code can otherwise be re-requested forever (SMS flooding, and
 * unlimited guesses at 5 per code). Refused: 429 rate_limited, Retry-After until a place frees up.
 */
export function otpRequestRefusal(sent: readonly SentOtp[], subscriptionId: string, now: Date): AppError | undefined {
  const windowStart = now.getTime() - OTP_WINDOW_SECONDS * 1000;
  const recent = sent.filter((s) => s.at.getTime() > windowStart).sort((a, b) => a.at.getTime() - b.at.getTime());
  const ofSubscription = recent.filter((s) => s.subscriptionId === subscriptionId);
  const full = ofSubscription.length >= OTP_CODES_PER_SUBSCRIPTION_PER_HOUR ? ofSubscription.at(-OTP_CODES_PER_SUBSCRIPTION_PER_HOUR) : recent.length >= OTP_CODES_PER_SUBSCRIBER_PER_HOUR ? recent.at(-OTP_CODES_PER_SUBSCRIBER_PER_HOUR) : undefined;
  if (!full) return undefined;
  // The window frees a place when the oldest code that fills it leaves it.
  const seconds = Math.max(1, Math.ceil((full.at.getTime() - windowStart) / 1000));
  return new AppError('rate_limited', 'TOO_MANY_OTP_REQUESTS', { headers: { 'Retry-After': String(seconds) } });
}
