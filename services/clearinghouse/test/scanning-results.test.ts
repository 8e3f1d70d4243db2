/**
 * A claimed job's SARIF log judged result by result (pure, fast): admitted inside the job's targets
 * and window, refused otherwise with every reason, each named by its JSON pointer; findings keep
 * the served requests whose targets hold them; report ids derive from job and fingerprint.
 */
import { claimScanJob, planScanJobs, validateScanRequest, type ScanRequest } from '../src/domain/coordination';
import type { SarifLog } from '../src/domain/formats';
import { findingReportId, judgeSarifLog, resultCount } from '../src/scanning/sarif-results';
import { sarifLog } from './scanning-client';

const now = new Date('2026-05-01T12:00:00Z');
const window = { start: '2026-05-01T11:00:00Z', end: '2026-05-01T15:00:00-04:00[America/New_York]' };
const request = (id: string, organization: string, targets: { kind: string; value: string }[]): ScanRequest =>
  validateScanRequest({ targets, scope: ['vulnerability'], window }, id, { organization, subject: `ops@${organization}` }, now);

const hospital = request('0190a000-0000-7000-8000-000000000001', 'rural-hospital', [{ kind: 'cidr', value: '93.184.216.0/24' }]);
const bank = request('0190a000-0000-7000-8000-000000000002', 'community-bank', [{ kind: 'host', value: '93.184.216.34' }]);
const [planned] = planScanJobs([bank, hospital], now).jobs;
const job = claimScanJob(planned!, { organization: 'frontier-ai', subject: 'scanner@frontier-ai' }, now);
const scannedDuring = { start: new Date('2026-05-01T12:00:00Z'), end: new Date('2026-05-01T12:30:00Z') };
const at = new Date('2026-05-01T12:40:00Z');

it('plans one job for both requests, and admits each result inside it for the requests whose targets hold it', () => {
  expect(job.serves.map((s) => s.operator)).toEqual(['rural-hospital', 'community-bank']);
  const log = sarifLog(['https://93.184.216.34/', 'https://93.184.216.50:8443/login', '8.8.8.8', 'mailto:x@y'], scannedDuring) as unknown as SarifLog;
  const { admitted, refused } = judgeSarifLog(log, job, { organization: 'frontier-ai' }, at);
  expect(admitted.map((a) => [a.pointer, a.requestIds])).toEqual([
    ['/runs/0/results/0', [hospital.id, bank.id].sort()],
    ['/runs/0/results/1', [hospital.id]],
  ]);
  expect(admitted[0]!.finding).toMatchObject({ ruleId: 'TLS001', level: 'error', cwes: ['CWE-327'], location: { uri: 'https://93.184.216.34/' } });
  expect(refused).toEqual([
    { pointer: '/runs/0/results/2', reasons: ['"8.8.8.8" is outside every target of the job'] },
    { pointer: '/runs/0/results/3', reasons: ['location "mailto:x@y" names no host', 'it names no location inside a target (a host, or a file under a repository)'] },
  ]);
});

it('refuses every result of another scanner, outside the window, or not a finding, with every reason', () => {
  const log = sarifLog(['https://93.184.216.34/'], { start: new Date('2026-05-01T10:00:00Z'), end: scannedDuring.end }) as unknown as { runs: { results: Record<string, unknown>[] }[] };
  log.runs[0]!.results.push({ ...log.runs[0]!.results[0], kind: 'pass' });
  const { admitted, refused } = judgeSarifLog(log as unknown as SarifLog, job, { organization: 'gov-scanner' }, new Date('2026-05-01T10:59:00Z'));
  expect(admitted).toEqual([]);
  expect(refused[0]!.reasons).toEqual([
    `scan job ${job.id} was claimed by another scanner: only it returns results`,
    expect.stringContaining('before the job\'s window'),
    expect.stringContaining('outside the job\'s window'),
  ]);
  expect(refused[1]).toEqual({ pointer: '/runs/0/results/1', reasons: ['its kind is pass: not a finding'] });
});

it('counts results over every run, and derives a report id (a UUID) from the job and the fingerprint', () => {
  expect(resultCount({ version: '2.1.0', runs: [{ results: [{}, {}] }, {}, { results: [{}] }] } as unknown as SarifLog)).toBe(3);
  const id = findingReportId(job.id, 'sha256:ab');
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(findingReportId(job.id, 'sha256:ab')).toBe(id);
  expect(findingReportId(job.id, 'sha256:ac')).not.toBe(id);
  expect(findingReportId('scan-job-00000000000000000000000000000000', 'sha256:ab')).not.toBe(id);
});
