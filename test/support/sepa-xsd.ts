/**
 * Validates our SEPA files against the SEPA XML schemas with libxml2's `xmllint` (Debian
 * `libxml2-utils`): a third party's validator, not our code. `scripts/fetch-sepa-xsd.sh` puts the schemas
 * in `.cache/sepa-xsd/`; `.ci/run` calls it, so in CI missing schemas or a missing `xmllint` fail the
 * tests, and on a laptop without them the schema tests skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type SepaSchema = 'pain.008.001.02' | 'pain.001.001.03';

const XSD_DIR = join(__dirname, '..', '..', '.cache', 'sepa-xsd');
const schemaPath = (schema: SepaSchema): string => join(XSD_DIR, `${schema}.xsd`);

export function sepaSchemasAvailable(): boolean {
  const xmllint = spawnSync('xmllint', ['--version']);
  return xmllint.status === 0 && existsSync(schemaPath('pain.008.001.02')) && existsSync(schemaPath('pain.001.001.03'));
}

/** xmllint's complaints about `xml` under the schema; none when it validates. */
export function schemaErrors(xml: string, schema: SepaSchema): string[] {
  const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', schemaPath(schema), '-'], { input: xml, encoding: 'utf8' });
  if (run.error) throw run.error;
  if (run.status === 0) return [];
  return run.stderr.split('\n').filter((line) => line !== '' && !line.endsWith('fails to validate'));
}
