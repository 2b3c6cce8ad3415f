/** A contract or supporting document of a subscription (its bytes are read only when downloaded). */
export interface ContractDocument {
  id: string;
  subscriptionId: string;
  kind: string;
  title: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: Date;
}

/** One signing attempt of a subscription: by e-signature or by one-time code. */
export interface Signature {
  id: string;
  subscriptionId: string;
  method: 'esign' | 'otp';
  status: 'pending' | 'completed' | 'declined' | 'expired';
  signingUrl: string | null;
  otpHash: string | null;
  otpExpiresAt: Date | null;
  otpAttempts: number;
  createdAt: Date;
  completedAt: Date | null;
}
