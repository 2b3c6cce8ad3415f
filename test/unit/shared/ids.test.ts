// uuids-codemod: skip (sends old-style ids on purpose, to see them refused)
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTime } from 'ulid';
import { isUuid, newEventId, newUuid } from '../../../domain/shared/ids';
import { DEMO_IDS, UUID_V7 } from '../../support/ids';

describe('resource ids', () => {
  it('are UUIDv7: version 7, RFC 9562 variant, lowercase, the current time in the first 48 bits', () => {
    const before = Date.now();
    const id = newUuid();
    const after = Date.now();
    expect(id).toMatch(UUID_V7);
    const ms = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after + 1);
  });

  it('made one after another in a process sort in the order they were made, and never repeat', () => {
    const ids = Array.from({ length: 20_000 }, () => newUuid());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('a client may send any UUID version in the canonical lowercase form; anything else is not an id', () => {
    for (const id of [newUuid(), randomUUID(), '00000000-0000-0000-0000-000000000000', DEMO_IDS.policies.aliceAv]) expect({ id, ok: isUuid(id) }).toEqual({ id, ok: true });
    const v4 = randomUUID();
    for (const id of [v4.toUpperCase(), `{${v4}}`, v4.replaceAll('-', ''), `urn:uuid:${v4}`, ` ${v4}`, `${v4}\n`, 'pol_alice_av', '', v4.slice(0, 35), `${v4}0`]) {
      expect({ id, ok: isUuid(id) }).toEqual({ id, ok: false });
    }
  });

  it('the demo ids are distinct UUIDs, each listed in the README', () => {
    const all = Object.values(DEMO_IDS).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v)));
    expect(all.every(isUuid)).toBe(true);
    expect(new Set(all).size).toBe(all.length);
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    expect(all.filter((id) => !readme.includes(`\`${id}\``))).toEqual([]);
  });
});

describe('event ids', () => {
  it('are evt_ and a ULID whose time part is the event time, increasing within one millisecond', () => {
    const at = new Date('2026-07-06T14:32:00Z');
    const ids = Array.from({ length: 1000 }, () => newEventId(at));
    for (const id of ids) expect(id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(decodeTime(ids[0].slice(4))).toBe(at.getTime());
  });

  it('draw their random part afresh each millisecond, over the whole alphabet', () => {
    // Later than any time used before: the factory counts up from its last id for a time not after it.
    const start = Date.parse('2090-01-01T00:00:00Z');
    const randomParts = Array.from({ length: 2000 }, (_, i) => newEventId(new Date(start + i)).slice(4 + 10));
    expect(new Set(randomParts).size).toBe(randomParts.length);
    // 2,000 draws leave one of the 32 symbols unseen in a given place with a chance under 10^-12.
    for (const place of [0, 7, 15]) expect(new Set(randomParts.map((part) => part[place])).size).toBe(32);
  });
});
