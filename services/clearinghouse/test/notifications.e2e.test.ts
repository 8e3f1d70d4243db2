/**
 * Exactly the affected operators hear of a flaw, end to end: the clearinghouse as its own process on
 * real nats-server and FerretDB, operators' webhook endpoints a local HTTP server. Three operators
 * with overlapping inventories (an SBOM, products entered by hand) and a validated flaw affecting
 * two of them: exactly those two get a notification, on their own subjects and by signed webhook,
 * once each -- one endpoint down at first gets it when it comes back, once; a revision adding a fixed
 * version re-notifies only the operator whose remediation changed; an SBOM upload adding the
 * component later brings the third its notification then; operators record where their assets stand
 * and analysts read who is still exposed by sector and size. Every wait is for a positive signal.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { status, type ServiceError } from '@grpc/grpc-js';
import { fieldViolationsOf } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { readStream, REPO_ROOT, sharedServers, waitFor, waitForTrace, type StoredEvent } from '@rampart/testing';
import { SMTPServer } from 'smtp-server';
import { verifyWebhook } from '../src/domain/notifications';
import { importAll, osvItem, osvRecord } from './flaws-harness';
import { call, ClearinghouseHarness, reportDetails } from './harness';

let h: ClearinghouseHarness;

interface Received { path: string; headers: http.IncomingHttpHeaders; body: string }
const received: Received[] = [];
/** Endpoints answering 503 (down) until taken off this set. */
const down = new Set<string>();
let server: http.Server;
let base: string;
/** E-mail the service sent (a local SMTP server). */
const mails: { to: string[]; text: string }[] = [];
let smtp: SMTPServer;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const path = req.url ?? '';
      if (down.has(path)) {
        res.writeHead(503).end();
        return;
      }
      received.push({ path, headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, session, done) {
      let text = '';
      stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), text });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  h = new ClearinghouseHarness({ WEBHOOK_ALLOW_PRIVATE: 'true', SMTP_URL: `smtp://127.0.0.1:${smtpPort}` });
  await h.start();
}, 90_000);
afterAll(async () => {
  await h.stop();
  await new Promise((resolve) => server.close(resolve));
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const operatorToken = (organization: string) => h.auth.token({ roles: ['operator'], organization, subject: `it@${organization}` });

async function register(organization: string, sector: string, size: string, webhook = true): Promise<{ token: string; secret: string }> {
  const token = await operatorToken(organization);
  const answer = await call<v1.RegisterOperatorResponse>(h.client, 'registerOperator', {
    name: organization, sector, size, contacts: [{ name: 'IT', email: `it@${organization}.example`, primary: true }, { name: 'CEO', email: `ceo@${organization}.example` }],
    webhooks: webhook ? [{ id: 'soc', url: `${base}/${organization}` }] : [],
  }, token);
  return { token, secret: answer.webhookSecrets[0]?.secret ?? '' };
}

const sbom = (components: { name: string; version: string; purl: string }[]) =>
  Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: components.map((c) => ({ type: 'library', ...c, 'bom-ref': c.name })) }));

const notificationsOf = async (organization: string): Promise<StoredEvent[]> =>
  (await readStream(h.jsm, 'CLEARINGHOUSE_RELEASABLE')).filter((m) => m.subject.startsWith(`rampart.operator.${organization}.clearinghouse.notification.`));
const postsTo = (organization: string) => received.filter((r) => r.path === `/${organization}`);

const CVE = `CVE-2099-${10_000 + Math.floor(Math.random() * 89_999)}`;

describe('notifications', () => {
  it('reach exactly the affected operators, on their own subjects and by signed webhook, once each; revisions and late inventories re-notify only whom they change', async () => {
    const hospital = await register('valley-hospital', 'healthcare-and-public-health', 'small');
    const bank = await register('prairie-bank', 'financial-services', 'small');
    const utility = await register('river-water', 'water-and-wastewater', 'medium');
    down.add('/prairie-bank'); // the bank's endpoint is down for a while

    // Overlapping inventories: django everywhere, only two versions inside the flaw's ranges.
    const uploaded = await call<v1.UploadAssetSbomResponse>(h.client, 'uploadAssetSbom', {
      assetId: 'ehr', name: 'Electronic health records', format: v1.SbomFormat.SBOM_FORMAT_CYCLONEDX_JSON,
      sbom: sbom([{ name: 'Django', version: '4.2.16', purl: 'pkg:pypi/Django@4.2.16' }, { name: 'requests', version: '2.31.0', purl: 'pkg:pypi/requests@2.31.0' }]),
    }, hospital.token);
    expect(uploaded.asset).toMatchObject({ assetId: 'ehr', revision: 1, components: [{ key: 'pkg:pypi/django', purl: 'pkg:pypi/django@4.2.16' }, { key: 'pkg:pypi/requests' }] });
    await call(h.client, 'enterProducts', { assetId: 'online-banking', products: [{ purl: 'pkg:pypi/django@5.0.9' }, { purl: 'pkg:npm/lodash@4.17.21' }] }, bank.token);
    await call(h.client, 'enterProducts', { assetId: 'scada-portal', products: [{ purl: 'pkg:pypi/django@4.2.17' }, { purl: 'pkg:pypi/flask@2.0.0' }] }, utility.token);

    // A reporter's flaw in django, validated by an analyst.
    const reporter = await h.reporter('acme');
    const analyst = await h.analyst();
    const { report } = await h.submit(reporter, reportDetails({
      title: 'Path traversal in django uploads', tlp: v1.TlpLabel.TLP_LABEL_GREEN,
      affectedProducts: [{ purl: 'pkg:pypi/django', ranges: [{ introduced: '4.2', fixed: '4.2.17', lastAffected: '' }, { introduced: '5.0', fixed: '5.0.10', lastAffected: '' }], versions: [] }],
      cve: { state: v1.CveState.CVE_STATE_ASSIGNED, cna: 'GitHub_M', cveId: CVE },
    }));
    await call(h.client, 'transitionReport', { reportId: report!.id, expectedRevision: report!.revision, toStatus: v1.ReportStatus.REPORT_STATUS_VALID, reasons: ['reproduced'] }, analyst);

    // Exactly the hospital and the bank, each on its own subject, once.
    await waitFor('the two notifications', async () => (await notificationsOf('valley-hospital')).length === 1 && (await notificationsOf('prairie-bank')).length === 1).catch(async (e) => {
      const db = h.mongo.db(h.database);
      console.log('DEBUG', JSON.stringify(await db.collection('clearinghouse_match_keys').find({}).toArray()), JSON.stringify(await db.collection('clearinghouse_match_flaws').find({}).toArray()),
        JSON.stringify((await readStream(h.jsm, 'CLEARINGHOUSE_DEADLETTER').catch(() => [])).map((m) => m.body.slice(0, 300))), JSON.stringify((await readStream(h.jsm, 'CLEARINGHOUSE_EVENTS')).map((m) => m.subject)),
        JSON.stringify(await db.collection('clearinghouse_notifications').find({}).toArray()).slice(0, 500));
      throw e;
    });
    expect(await notificationsOf('river-water')).toEqual([]);
    const [toHospital] = await notificationsOf('valley-hospital');
    expect(toHospital!.subject).toBe('rampart.operator.valley-hospital.clearinghouse.notification.issued');
    expect(toHospital!.event.data).toMatchObject({ operatorId: 'valley-hospital', vulnerabilityId: CVE, revision: 1, kind: 'issued', tlp: 'GREEN', affected: [{ assetId: 'ehr', purl: 'pkg:pypi/django@4.2.16', bomRef: 'Django', fixedVersions: ['4.2.17', '5.0.10'] }] });
    // Another operator's assets never travel in its notification.
    expect(toHospital!.body).not.toContain('online-banking');
    const [toBank] = await notificationsOf('prairie-bank');
    expect(toBank!.event.data).toMatchObject({ operatorId: 'prairie-bank', affected: [{ assetId: 'online-banking', purl: 'pkg:pypi/django@5.0.9', fixedVersions: ['5.0.10'] }] });

    // One trace from the analyst's validation (a human step: a trace of its own) to each operator's notification and its webhook POST.
    const validated = (await readStream(h.jsm, 'CLEARINGHOUSE_EVENTS')).find((m) => m.subject === 'rampart.clearinghouse.report.validated' && m.event.subject === report!.id)!;
    const stepTrace = validated.headers.traceparent?.split('-')[1];
    expect(stepTrace).toMatch(/^[0-9a-f]{32}$/);
    expect(toHospital!.headers.traceparent?.split('-')[1]).toBe(stepTrace);
    const spans = await waitForTrace(sharedServers().jaegerQuery, stepTrace!, (all) =>
      all.some((x) => x.name === 'transition report') &&
      all.some((x) => x.name === 'process rampart.clearinghouse.vulnerability.validated' && x.kind === 5) &&
      all.some((x) => x.name === 'publish rampart.operator.valley-hospital.clearinghouse.notification.issued') &&
      all.some((x) => x.name === 'process rampart.operator.valley-hospital.clearinghouse.notification.issued' && x.kind === 5) &&
      all.some((x) => x.kind === 3 && x.name.startsWith('POST')));
    expect(new Set(spans.map((x) => x.traceId))).toEqual(new Set([stepTrace]));

    // By webhook: the hospital's at once, signed with its secret.
    await waitFor('the hospital\'s webhook', () => Promise.resolve(postsTo('valley-hospital').length === 1));
    const post = postsTo('valley-hospital')[0]!;
    expect(verifyWebhook(hospital.secret, post.headers as Record<string, string>, post.body, new Date())).toEqual({ ok: true });
    expect(verifyWebhook(bank.secret, post.headers as Record<string, string>, post.body, new Date())).toMatchObject({ ok: false });
    expect(JSON.parse(post.body)).toMatchObject({ data: { vulnerabilityId: CVE, operatorId: 'valley-hospital' } });

    // The bank's endpoint comes back: it gets its notification, once, signed.
    down.delete('/prairie-bank');
    await waitFor('the bank\'s webhook after it came back', () => Promise.resolve(postsTo('prairie-bank').length === 1), 60_000);
    expect(verifyWebhook(bank.secret, postsTo('prairie-bank')[0]!.headers as Record<string, string>, postsTo('prairie-bank')[0]!.body, new Date())).toEqual({ ok: true });

    // A new record of the same flaw adds a fixed version above the hospital's: only the hospital hears again.
    const fixedEarlier = osvRecord(`OSV-2099-${CVE.slice(9)}`, [CVE], { affected: [{ package: { ecosystem: 'PyPI', name: 'django' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '4.2' }, { fixed: '4.2.16.post1' }] }] }] });
    await importAll(h, analyst, [osvItem(fixedEarlier)]);
    await waitFor('the hospital\'s revision', async () => (await notificationsOf('valley-hospital')).length === 2);
    const revised = (await notificationsOf('valley-hospital'))[1]!;
    expect(revised.subject).toBe('rampart.operator.valley-hospital.clearinghouse.notification.revised');
    expect(revised.event.data).toMatchObject({ revision: 2, changes: [expect.stringMatching(/fixed version .* 4\.2\.16\.post1/)] });

    // The water utility uploads an SBOM holding an affected django: it is notified then.
    await call(h.client, 'uploadAssetSbom', { assetId: 'billing', format: v1.SbomFormat.SBOM_FORMAT_CYCLONEDX_JSON, sbom: sbom([{ name: 'Django', version: '5.0.1', purl: 'pkg:pypi/django@5.0.1' }]) }, utility.token);
    await waitFor('the utility\'s notification', async () => (await notificationsOf('river-water')).length === 1);
    expect((await notificationsOf('river-water'))[0]!.event.data).toMatchObject({ revision: 1, kind: 'issued', affected: [{ assetId: 'billing', purl: 'pkg:pypi/django@5.0.1' }] });
    await waitFor('the utility\'s webhook', () => Promise.resolve(postsTo('river-water').length === 1));
    // The bank's remediation did not change: still its one notification, delivered once.
    expect(await notificationsOf('prairie-bank')).toHaveLength(1);
    expect(postsTo('prairie-bank')).toHaveLength(1);
    expect(postsTo('valley-hospital')).toHaveLength(2);

    // Each operator lists its own, and acknowledges the latest revision only.
    const listed = await call<v1.ListNotificationsResponse>(h.client, 'listNotifications', {}, hospital.token);
    expect(listed.notifications.map((n) => [n.vulnerabilityId, n.revision, n.acknowledged])).toEqual([[CVE, 2, false]]);
    const stale = await call(h.client, 'acknowledgeNotification', { vulnerabilityId: CVE, revision: 1 }, hospital.token).then(() => 'OK', (e: ServiceError) => e.code);
    expect(stale).toBe(status.FAILED_PRECONDITION);
    await call(h.client, 'acknowledgeNotification', { vulnerabilityId: CVE, revision: 2 }, hospital.token);
    expect((await call<v1.ListNotificationsResponse>(h.client, 'listNotifications', {}, hospital.token)).notifications[0]!.acknowledged).toBe(true);
    expect(await call(h.client, 'listNotifications', { operatorId: 'prairie-bank' }, hospital.token).then(() => 'OK', (e: ServiceError) => e.code)).toBe(status.NOT_FOUND);

    // Patch distribution: each operator says where its assets stand; analysts see who is still exposed, by sector and size.
    const RS = v1.RemediationState;
    await call(h.client, 'recordRemediation', { vulnerabilityId: CVE, assetId: 'ehr', state: RS.REMEDIATION_STATE_PATCHED, note: 'upgraded to 4.2.17' }, hospital.token);
    const noWhy = await call(h.client, 'recordRemediation', { vulnerabilityId: CVE, assetId: 'online-banking', state: RS.REMEDIATION_STATE_NOT_AFFECTED }, bank.token).then(() => undefined, (e: ServiceError) => e);
    expect(fieldViolationsOf(noWhy!.metadata).map((v) => v.field)).toEqual(['justification']);
    await call(h.client, 'recordRemediation', { vulnerabilityId: CVE, assetId: 'online-banking', state: RS.REMEDIATION_STATE_NOT_AFFECTED, justification: 'vulnerable_code_not_in_execute_path' }, bank.token);
    const notMine = await call(h.client, 'recordRemediation', { vulnerabilityId: CVE, assetId: 'online-banking', state: RS.REMEDIATION_STATE_PATCHED }, hospital.token).then(() => 'OK', (e: ServiceError) => e.code);
    expect(notMine).toBe(status.NOT_FOUND);
    const exposure = await call<v1.GetExposureResponse>(h.client, 'getExposure', { vulnerabilityId: CVE }, analyst);
    expect(exposure.counts).toEqual([
      { sector: 'financial-services', size: 'small', operators: 1, exposedOperators: 0, assetsAffected: 0, assetsPatched: 0, assetsMitigated: 0, assetsNotAffected: 1 },
      { sector: 'healthcare-and-public-health', size: 'small', operators: 1, exposedOperators: 0, assetsAffected: 0, assetsPatched: 1, assetsMitigated: 0, assetsNotAffected: 0 },
      { sector: 'water-and-wastewater', size: 'medium', operators: 1, exposedOperators: 1, assetsAffected: 1, assetsPatched: 0, assetsMitigated: 0, assetsNotAffected: 0 },
    ]);
    expect(await call(h.client, 'getExposure', { vulnerabilityId: CVE }, hospital.token).then(() => 'OK', (e: ServiceError) => e.code)).toBe(status.PERMISSION_DENIED);
  }, 120_000);

  it('matches products known only by a CPE, in the vendor version order', async () => {
    const coop = await register('plains-electric-coop', 'energy', 'small');
    const mill = await register('mill-creek-water', 'water-and-wastewater', 'small');
    await call(h.client, 'enterProducts', { assetId: 'billing', products: [{ cpe: 'cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*', name: 'OpenSSL' }] }, coop.token);
    await call(h.client, 'enterProducts', { assetId: 'telemetry', products: [{ cpe: 'cpe:/a:openssl:openssl:1.1.1l', name: 'OpenSSL' }] }, mill.token);
    const cveId = `CVE-2099-${10_000 + Math.floor(Math.random() * 89_999)}`;
    const doc = JSON.parse(readFileSync(path.join(REPO_ROOT, '../shared/conformance/cve/records/CVE-2021-0004_published.json'), 'utf8')) as { cveMetadata: { cveId: string }; containers: { cna: { affected: unknown[] } } };
    doc.cveMetadata.cveId = cveId;
    doc.containers.cna.affected = [{ vendor: 'OpenSSL', product: 'OpenSSL', defaultStatus: 'unaffected', cpes: ['cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*'], versions: [{ version: '1.1.1', lessThan: '1.1.1l', status: 'affected', versionType: 'custom' }] }];
    await importAll(h, await h.analyst(), [{ format: v1.AdvisoryFormat.ADVISORY_FORMAT_CVE, document: Buffer.from(JSON.stringify(doc)) }]);

    await waitFor('the co-op notified', async () => (await notificationsOf('plains-electric-coop')).length === 1);
    const [issued] = await notificationsOf('plains-electric-coop');
    expect((issued!.event.data as { affected: unknown[] }).affected).toEqual([expect.objectContaining({ assetId: 'billing', purl: '', cpe: 'cpe:a:openssl:openssl', version: '1.1.1k', fixedVersions: ['1.1.1l'] })]);
    // The water utility runs the fixed version: once the next flaw's notification reaches the co-op, none came for it.
    const later = osvRecord(`OSV-2099-${cveId.slice(9)}`, [], { affected: [{ package: { ecosystem: 'PyPI', name: 'plains-meter' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] });
    await call(h.client, 'enterProducts', { assetId: 'meters', products: [{ purl: 'pkg:pypi/plains-meter@1.0' }] }, coop.token);
    await importAll(h, await h.analyst(), [osvItem(later)]);
    await waitFor('the co-op notified again', async () => (await notificationsOf('plains-electric-coop')).length === 2);
    expect(await notificationsOf('mill-creek-water')).toEqual([]);
  });

  it('e-mails the primary contact of an operator without a webhook', async () => {
    const clinic = await register('hill-clinic', 'healthcare-and-public-health', 'small', false);
    await call(h.client, 'enterProducts', { assetId: 'portal', products: [{ purl: 'pkg:pypi/django@4.2.1' }] }, clinic.token);
    await waitFor('the clinic\'s notification', async () => (await notificationsOf('hill-clinic')).length === 1);
    await waitFor('the e-mail', () => Promise.resolve(mails.some((m) => m.to.includes('it@hill-clinic.example'))));
    const mail = mails.find((m) => m.to.includes('it@hill-clinic.example'))!;
    expect(mail.to).toEqual(['it@hill-clinic.example']);
    expect(mail.text).toContain(CVE);
    expect(mail.text).toContain('pkg:pypi/django@4.2.1 in asset portal');
    expect(mails.filter((m) => m.to.includes('it@hill-clinic.example'))).toHaveLength(1);
  });

  it('refuses bad operators and SBOMs naming every field, stores nothing of them', async () => {
    const token = await operatorToken('bad-operator');
    const refused = await call(h.client, 'registerOperator', { name: '', sector: 'retail', size: 'tiny', contacts: [], webhooks: [{ id: 'x', url: 'ftp://example.com' }] }, token).then(() => undefined, (e: ServiceError) => e);
    expect(refused?.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(refused!.metadata).map((v) => v.field)).toEqual(expect.arrayContaining(['name', 'sector', 'size', 'contacts', 'webhooks[0].url']));
    // Not registered: its uploads are refused.
    const unregistered = await call(h.client, 'enterProducts', { assetId: 'a', products: [{ purl: 'pkg:npm/x@1.0.0' }] }, token).then(() => undefined, (e: ServiceError) => e);
    expect(unregistered?.code).toBe(status.FAILED_PRECONDITION);
    const { token: ok } = await register('good-operator', 'energy', 'large');
    const broken = await call(h.client, 'uploadAssetSbom', { assetId: 'grid', format: v1.SbomFormat.SBOM_FORMAT_CYCLONEDX_JSON, sbom: Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ type: 'nope', name: 'x' }], serialNumber: 'no' })) }, ok).then(() => undefined, (e: ServiceError) => e);
    expect(broken?.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(broken!.metadata).map((v) => v.field)).toEqual(expect.arrayContaining(['sbom/components/0/type', 'sbom/serialNumber']));
    const badId = await call(h.client, 'uploadAssetSbom', { assetId: '../etc', format: 0, sbom: Buffer.alloc(0) }, ok).then(() => undefined, (e: ServiceError) => e);
    expect(fieldViolationsOf(badId!.metadata).map((v) => v.field)).toEqual(['asset_id', 'format']);
    expect(await h.mongo.db(h.database).collection('clearinghouse_assets').countDocuments({ operatorId: { $in: ['good-operator', 'bad-operator'] } })).toBe(0);
    expect(await h.mongo.db(h.database).collection('clearinghouse_operators').countDocuments({ _id: 'bad-operator' as never })).toBe(0);
  });
});
