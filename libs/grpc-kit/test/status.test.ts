import { status } from '@grpc/grpc-js';
import pino from 'pino';
import { MongoNetworkTimeoutError, MongoOperationTimeoutError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb';
import { ConflictError, NotFoundError, ValidationError } from '@rampart/errors';
import { fieldViolationsOf, toStatus } from '@rampart/grpc-kit';

const logger = pino({ level: 'silent' });

describe('error to status mapping', () => {
  it('carries field violations as google.rpc.BadRequest', () => {
    const mapped = toStatus(new ValidationError([{ field: 'details.model_name', description: 'is required' }]), logger);
    expect(mapped.code).toBe(status.INVALID_ARGUMENT);
    expect(mapped.details).toBe('details.model_name: is required');
    expect(fieldViolationsOf(mapped.metadata)).toEqual([{ field: 'details.model_name', description: 'is required' }]);
  });

  it('maps typed errors to their codes and hides unexpected ones', () => {
    expect(toStatus(new NotFoundError('gone'), logger).code).toBe(status.NOT_FOUND);
    expect(toStatus(new ConflictError('stale'), logger).code).toBe(status.ABORTED);
    expect(toStatus(new Error('secret internals'), logger)).toEqual({ code: status.INTERNAL, details: 'internal error' });
  });

  it('answers UNAVAILABLE, with no driver text, when the database does not answer in time or cannot be reached', () => {
    const waitQueue = Object.defineProperty(new Error('Timed out while checking out a connection from connection pool: 127.0.0.1:27017'), 'name', { value: 'MongoWaitQueueTimeoutError' });
    const failures = [
      new MongoNetworkTimeoutError('connection 3 to 127.0.0.1:27017 timed out'),
      new MongoServerSelectionError('Server selection timed out after 5000 ms', { type: 'Unknown', servers: new Map(), stale: false, compatible: true, heartbeatFrequencyMS: 10_000, localThresholdMS: 15, setName: null, maxElectionId: null, maxSetVersion: null, commonWireVersion: 0, logicalSessionTimeoutMinutes: null } as never),
      new MongoOperationTimeoutError('Timed out during socket read (5000ms)'),
      new MongoTopologyClosedError(),
      waitQueue,
    ];
    for (const failure of failures) expect(toStatus(failure, logger)).toEqual({ code: status.UNAVAILABLE, details: 'database unavailable, retry later' });
  });
});
