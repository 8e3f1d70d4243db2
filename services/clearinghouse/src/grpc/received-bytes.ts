/**
 * What was received, byte for byte: the service definition's SubmitReport deserializer keeps the
 * request's serialized bytes beside the decoded message, so the report stores exactly what came
 * over the wire (unknown fields, field order and all), not a re-encoding of what this version of
 * the proto understood.
 */
import { createHash } from 'node:crypto';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import type { ReceivedRecord } from '../domain/report';

export const SUBMIT_MEDIA_TYPE = 'application/x-protobuf; messageType="rampart.clearinghouse.v1.SubmitReportRequest"';

/** Decoded requests and their bytes; entries go with the request objects. */
const bytesOf = new WeakMap<object, Buffer>();

/** ClearinghouseServiceService, its SubmitReport deserializer keeping each request's bytes. */
export function definitionKeepingBytes(): typeof v1.ClearinghouseServiceService {
  const service = v1.ClearinghouseServiceService;
  return {
    ...service,
    submitReport: {
      ...service.submitReport,
      requestDeserialize: (bytes: Buffer): v1.SubmitReportRequest => {
        const request = service.submitReport.requestDeserialize(bytes);
        // A copy: grpc-js may hand over a view into a larger buffer it reuses.
        bytesOf.set(request, Buffer.from(bytes));
        return request;
      },
    },
  };
}

/** The record of what `request` was on the wire. A request decoded elsewhere has none: a wiring fault, never re-encoded in its place. */
export function receivedRecord(request: v1.SubmitReportRequest): ReceivedRecord {
  const content = bytesOf.get(request);
  if (!content) throw new Error('SubmitReport was served without definitionKeepingBytes(): the bytes as received are unknown');
  return { mediaType: SUBMIT_MEDIA_TYPE, sha256: createHash('sha256').update(content).digest('hex'), sizeBytes: content.length, content: new Uint8Array(content) };
}
