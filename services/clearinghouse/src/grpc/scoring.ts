/**
 * ImportKevCatalog: CISA's Known Exploited Vulnerabilities catalog, streamed in chunks (every
 * message under the server's 1 MiB limit; at most KEV_CATALOG_MAX_BYTES in all, refused as soon as
 * the stream passes it), validated against its schema (every problem at once, each named
 * `catalog<JSON pointer>`), stored entry by entry by CVE id,
 * and the priority of every report naming a new or changed entry recomputed: each report whose
 * priority changed is announced once by `rampart.clearinghouse.report.scored`. Importing the same
 * catalog again writes and announces nothing.
 */
import { authorize } from '@rampart/auth';
import { ValidationError } from '@rampart/errors';
import { clientStreaming, type HandlerKit } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { formatSchemas } from '../assets/schemas';
import { AUTHORIZATION } from '../domain/authorization';
import { formatValidators } from '../domain/formats';
import { eachLimited } from '../scoring/kev-store';
import { rescoreReport } from '../scoring/report-scoring';
import type { ClearinghouseDeps } from './context';

/** CISA's catalog is about 1.5 MB for 1,400 entries; room to grow, well under gRPC's 4 MiB message limit. */
export const KEV_CATALOG_MAX_BYTES = 8 * 1024 * 1024;
/** Reports rescored at once after an import. */
const RESCORE_CONCURRENCY = 8;

/** The whole catalog from the stream's chunks, refused once it grows past the bound (before the rest is read). */
async function receiveCatalog(requests: AsyncIterable<v1.ImportKevCatalogRequest>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const request of requests) {
    size += request.chunk.length;
    if (size > KEV_CATALOG_MAX_BYTES) throw new ValidationError([{ field: 'chunk', description: `the catalog is larger than ${KEV_CATALOG_MAX_BYTES} bytes` }]);
    chunks.push(request.chunk);
  }
  if (size === 0) throw new ValidationError([{ field: 'chunk', description: "is required: CISA's known_exploited_vulnerabilities.json as published, in chunks" }]);
  return new Uint8Array(Buffer.concat(chunks, size));
}

type Handlers = Pick<v1.ClearinghouseServiceServer, 'importKevCatalog'>;

export function scoringHandlers(kit: HandlerKit, clearinghouse: ClearinghouseDeps): Handlers {
  const deps = { ...clearinghouse, embargoOfReport: (report: { id: string }) => clearinghouse.embargoes.embargoOfReport(report) };
  const now = deps.now ?? (() => new Date());
  return {
    importKevCatalog: clientStreaming(kit, async (requests: AsyncIterable<v1.ImportKevCatalogRequest>, { caller, signal }): Promise<v1.ImportKevCatalogResponse> => {
      authorize(AUTHORIZATION, 'importKevCatalog', caller); // before a byte is read
      const bytes = await receiveCatalog(requests);
      const checked = formatValidators(formatSchemas()).kev(bytes, { maxBytes: KEV_CATALOG_MAX_BYTES });
      if (!checked.ok) throw new ValidationError(checked.errors.map((p) => ({ field: `catalog${p.pointer}`, description: p.message })));
      signal.throwIfAborted(); // the caller is gone: store nothing it will never hear of
      const at = now();
      const catalog = checked.document;
      const changed = await deps.kev.store(catalog.vulnerabilities, catalog.catalogVersion, at);
      // The reports each changed entry concerns, a bounded number of reads at a time (a catalog has thousands).
      const named: string[][] = [];
      await eachLimited(changed, RESCORE_CONCURRENCY, async (id) => {
        named.push(await deps.kev.reportsNaming(id));
      });
      const reportIds = [...new Set(named.flat())].sort();
      let rescored = 0;
      await eachLimited(reportIds, RESCORE_CONCURRENCY, async (id) => {
        if ((await rescoreReport(deps, id, {}, caller.subject, at)).changed) rescored += 1;
      });
      return { entries: catalog.vulnerabilities.length, changed: changed.length, reportsRescored: rescored, warnings: checked.warnings.map((w) => `${w.pointer}: ${w.message}`) };
    }),
  };
}
