import { type Body } from '../support/subscription-inputs';
import { tinyPng } from '../support/files';
import { expectRestInvalid } from '../support/invalid';
import { MAX_UPLOAD_BYTES as MAX_SUPPORTING_BYTES } from '../../domain/shared/uploaded-file';
import { UUID_V7, testId } from '../support/ids';
import { EACH_DATABASE } from '../support/databases';
import { ISO_INSTANT, sha256, expectError, expectNotFound, signingSuite } from '../support/signing-suite';

/** Contract documents (generated PDFs, their downloads) and supporting documents of a subscription. */
describe.each(EACH_DATABASE)('REST subscription contract and supporting documents on %s', (_name, database) => {
  const t = signingSuite(database);
  const { getSubscription, generate, listDocuments, upload, download, draft, documentsReady, esignRequested, signed, count } = t;

  describe('contract documents', () => {
    it('POST .../documents on a draft: 201 with the three contract PDFs, and the draft becomes documents_ready', async () => {
      const id = await draft();
      const answer = await generate(t.alice, id);
      expect(answer.status).toBe(201);
      expect(answer.json.map((d: Body) => d.kind).sort()).toEqual(['general_terms', 'key_information', 'subscription_form']);
      for (const doc of answer.json) {
        expect(doc).toEqual({
          id: expect.stringMatching(UUID_V7),
          kind: doc.kind,
          title: expect.any(String),
          fileName: expect.stringMatching(/\.pdf$/),
          contentType: 'application/pdf',
          sizeBytes: expect.any(Number),
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          createdAt: expect.stringMatching(ISO_INSTANT),
        });
        expect(doc.sizeBytes).toBeGreaterThan(0);
      }
      expect((await getSubscription(t.alice, id)).json.status).toBe('documents_ready');
      const listed = await listDocuments(t.alice, id);
      expect(listed.status).toBe(200);
      expect([...listed.json.documents].sort((a: Body, b: Body) => a.id.localeCompare(b.id))).toEqual([...answer.json].sort((a: Body, b: Body) => a.id.localeCompare(b.id)));
    });

    it('each document downloads as an attachment: application/pdf, a real PDF whose sha256 is the one listed', async () => {
      const id = await documentsReady();
      const { documents } = (await listDocuments(t.alice, id)).json;
      expect(documents).toHaveLength(3);
      for (const doc of documents) {
        const file = await download(t.alice, id, doc.id);
        expect(file.status).toBe(200);
        expect(file.headers.get('content-type')).toBe('application/pdf');
        expect(file.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="${doc.fileName.replace(/[.]/g, '\\.')}"`));
        expect(file.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        expect(file.bytes.length).toBe(doc.sizeBytes);
        expect(sha256(file.bytes)).toBe(doc.sha256);
      }
    });

    it('regenerating before signing replaces the contract documents (old ids are gone) and keeps uploads', async () => {
      const id = await draft();
      const first = await generate(t.alice, id);
      const uploaded = await upload(t.alice, id, { kind: 'proof_of_address', fileName: 'address.png', contentType: 'image/png', contentBase64: tinyPng().toString('base64') });
      expect(uploaded.status).toBe(201);
      const second = await generate(t.alice, id);
      expect(second.status).toBe(201);
      const contract = (docs: Body[]) => docs.filter((d) => d.kind !== 'proof_of_address');
      expect(contract(second.json).map((d: Body) => d.kind).sort()).toEqual(['general_terms', 'key_information', 'subscription_form']);
      const firstIds = first.json.map((d: Body) => d.id);
      for (const doc of second.json) expect(firstIds).not.toContain(doc.id);
      for (const oldId of firstIds) expectNotFound(await download(t.alice, id, oldId), 'DOCUMENT_NOT_FOUND');
      const listed = (await listDocuments(t.alice, id)).json.documents.map((d: Body) => d.id).sort();
      expect(listed).toEqual([...contract(second.json).map((d: Body) => d.id), uploaded.json.id].sort());
      expect((await getSubscription(t.alice, id)).json.status).toBe('documents_ready');
    });

    it('once signing has started the documents cannot be regenerated (409 naming SIGNING)', async () => {
      const id = await documentsReady();
      await esignRequested(id);
      const before = (await listDocuments(t.alice, id)).json.documents;
      expectError(await generate(t.alice, id), 409, 'conflict', 'CANNOT_GENERATE_DOCUMENTS_IN_STATE_SIGNING');
      expect((await listDocuments(t.alice, id)).json.documents).toEqual(before);
    });

    it('an unknown document id is 404 DOCUMENT_NOT_FOUND; a document of another subscription too', async () => {
      const id = await documentsReady();
      const other = await documentsReady();
      expectNotFound(await download(t.alice, id, testId('doc_does_not_exist')), 'DOCUMENT_NOT_FOUND');
      const otherDoc = (await listDocuments(t.alice, other)).json.documents[0].id;
      expectNotFound(await download(t.alice, id, otherDoc), 'DOCUMENT_NOT_FOUND');
    });

    it("bob gets 404 on alice's documents (list, download, generate), exactly as for a subscription that does not exist", async () => {
      const id = await documentsReady();
      const docId = (await listDocuments(t.alice, id)).json.documents[0].id;
      const list = await listDocuments(t.bob, id);
      expectNotFound(list, 'SUBSCRIPTION_NOT_FOUND');
      expect(list.json).toEqual((await listDocuments(t.bob, testId('sbs_does_not_exist'))).json);
      const file = await download(t.bob, id, docId);
      expectNotFound(file, 'SUBSCRIPTION_NOT_FOUND');
      expect(file.headers.get('content-type')).toMatch(/^application\/json/);
      expect(file.text).not.toContain('%PDF');
      expectNotFound(await generate(t.bob, id), 'SUBSCRIPTION_NOT_FOUND');
    });
  });

  describe('supporting documents', () => {
    let id: string;
    let contractPdf: Buffer;
    beforeAll(async () => {
      id = await documentsReady();
      const doc = (await listDocuments(t.alice, id)).json.documents[0];
      contractPdf = (await download(t.alice, id, doc.id)).bytes;
    });
    const docCount = () => count('select count(*)::int as n from documents where subscription_id = $1', [id]);

    it('a real PDF as base64: 201, listed, and it downloads byte for byte', async () => {
      const answer = await upload(t.alice, id, { kind: 'identity_proof', fileName: 'passport.pdf', contentType: 'application/pdf', contentBase64: contractPdf.toString('base64') });
      expect(answer.status).toBe(201);
      expect(answer.json).toEqual({
        id: expect.stringMatching(UUID_V7),
        kind: 'identity_proof',
        title: expect.any(String),
        fileName: 'passport.pdf',
        contentType: 'application/pdf',
        sizeBytes: contractPdf.length,
        sha256: sha256(contractPdf),
        createdAt: expect.stringMatching(ISO_INSTANT),
      });
      expect((await listDocuments(t.alice, id)).json.documents).toContainEqual(answer.json);
      const file = await download(t.alice, id, answer.json.id);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="passport\.pdf"/);
      expect(file.bytes.equals(contractPdf)).toBe(true);
    });

    it('a valid PNG: 201, and it downloads as image/png byte for byte', async () => {
      const png = tinyPng();
      const answer = await upload(t.alice, id, { kind: 'proof_of_address', fileName: 'bill.png', contentType: 'image/png', contentBase64: png.toString('base64') });
      expect(answer.status).toBe(201);
      expect(answer.json).toMatchObject({ kind: 'proof_of_address', contentType: 'image/png', sizeBytes: png.length, sha256: sha256(png) });
      const file = await download(t.alice, id, answer.json.id);
      expect(file.headers.get('content-type')).toBe('image/png');
      expect(file.bytes.equals(png)).toBe(true);
    });

    it('content that does not match the declared type (text declared as application/pdf) is 400 CONTENT_DOES_NOT_MATCH_TYPE, nothing stored', async () => {
      const before = await docCount();
      const text = Buffer.from('MZ this is not a PDF at all\n');
      expectRestInvalid(await upload(t.alice, id, { kind: 'identity_proof', fileName: 'id.pdf', contentType: 'application/pdf', contentBase64: text.toString('base64') }), [
        'contentBase64 CONTENT_DOES_NOT_MATCH_TYPE',
      ]);
      // A PDF declared as a PNG is refused too.
      expectRestInvalid(await upload(t.alice, id, { kind: 'identity_proof', fileName: 'id.png', contentType: 'image/png', contentBase64: contractPdf.toString('base64') }), [
        'contentBase64 CONTENT_DOES_NOT_MATCH_TYPE',
      ]);
      expect(await docCount()).toBe(before);
    });

    it('an unaccepted type (text/plain) is 400 CONTENT_TYPE_NOT_ACCEPTED', async () => {
      const before = await docCount();
      expectRestInvalid(await upload(t.alice, id, { kind: 'identity_proof', fileName: 'id.txt', contentType: 'text/plain', contentBase64: Buffer.from('hello').toString('base64') }), [
        'contentType CONTENT_TYPE_NOT_ACCEPTED',
      ]);
      expect(await docCount()).toBe(before);
    });

    it('over 5 MiB decoded is 400 FILE_TOO_LARGE (the body itself is within the route limit); exactly 5 MiB is accepted', async () => {
      const before = await docCount();
      const big = Buffer.alloc(MAX_SUPPORTING_BYTES + 1, 0x20);
      big.write('%PDF-1.4\n', 0, 'latin1');
      const tooBig = await upload(t.alice, id, { kind: 'identity_proof', fileName: 'big.pdf', contentType: 'application/pdf', contentBase64: big.toString('base64') });
      expectRestInvalid(tooBig, ['contentBase64 FILE_TOO_LARGE']);
      expect(await docCount()).toBe(before);

      const limit = big.subarray(0, MAX_SUPPORTING_BYTES);
      const atLimit = await upload(t.alice, id, { kind: 'identity_proof', fileName: 'limit.pdf', contentType: 'application/pdf', contentBase64: limit.toString('base64') });
      expect(atLimit.status).toBe(201);
      expect(atLimit.json.sizeBytes).toBe(MAX_SUPPORTING_BYTES);
      expect(await docCount()).toBe(before + 1);
    });

    it('once the subscription is signed, uploads are refused: 409 naming SIGNED', async () => {
      const signedId = await signed();
      const answer = await upload(t.alice, signedId, { kind: 'identity_proof', fileName: 'late.png', contentType: 'image/png', contentBase64: tinyPng().toString('base64') });
      expectError(answer, 409, 'conflict', 'CANNOT_UPLOAD_IN_STATE_SIGNED');
      expect(await count("select count(*)::int as n from documents where subscription_id = $1 and kind = 'identity_proof'", [signedId])).toBe(0);
    });

    it("bob cannot upload to alice's subscription: 404", async () => {
      const before = await docCount();
      expectNotFound(await upload(t.bob, id, { kind: 'identity_proof', fileName: 'x.png', contentType: 'image/png', contentBase64: tinyPng().toString('base64') }), 'SUBSCRIPTION_NOT_FOUND');
      expect(await docCount()).toBe(before);
    });
  });

});
