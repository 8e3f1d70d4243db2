import { status } from '@grpc/grpc-js';
import pino from 'pino';
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
});
