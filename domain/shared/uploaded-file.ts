import { createHash } from 'node:crypto';
import { invalidFields } from '../../errors/app-error';

/** Largest uploaded file accepted (decoded bytes). */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

// Declared types are checked against the file's first bytes, so a renamed executable is refused.
const SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
};

/** The media types an uploaded file may have (and so a downloaded one). */
export const UPLOAD_CONTENT_TYPES = Object.keys(SIGNATURES);

/** A file as clients send it: JSON carries the bytes in base64. */
export interface UploadInput {
  fileName: string;
  contentType: string;
  contentBase64: string;
}

export interface CheckedUpload {
  fileName: string;
  contentType: string;
  content: Buffer;
  sha256: string;
}

/**
 * A PDF, JPEG or PNG whose bytes are what its declared type says, at most 5 MiB, with a plain file name;
 * otherwise 400 naming every offending field at once.
 */
export function checkUpload(input: UploadInput): CheckedUpload {
  const content = Buffer.from(input.contentBase64, 'base64');
  const problems: Array<{ field: string; reason: string }> = [];
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.contentBase64.replace(/\s/g, '')) || content.length === 0) problems.push({ field: 'contentBase64', reason: 'NOT_BASE64' });
  else if (content.length > MAX_UPLOAD_BYTES) problems.push({ field: 'contentBase64', reason: 'FILE_TOO_LARGE' });
  const matches = SIGNATURES[input.contentType];
  if (!matches) problems.push({ field: 'contentType', reason: 'CONTENT_TYPE_NOT_ACCEPTED' });
  else if (content.length > 0 && !matches(content)) problems.push({ field: 'contentBase64', reason: 'CONTENT_DOES_NOT_MATCH_TYPE' });
  if (!/^[\w\-. ]{1,120}$/.test(input.fileName)) problems.push({ field: 'fileName', reason: 'FILE_NAME_INVALID' });
  if (problems.length) throw invalidFields(problems);
  return { fileName: input.fileName, contentType: input.contentType, content, sha256: createHash('sha256').update(content).digest('hex') };
}
