/**
 * Code generated from proto/ by `buf generate` (ts-proto, grpc-js services) at build time; the
 * generated files under src/gen are never edited or committed.
 */
import path from 'node:path';

export * as intakeV1 from './gen/rampart/intake/v1/intake';
export * as designationV1 from './gen/rampart/designation/v1/designation';
export * as rpcStatus from './gen/google/rpc/status';
export * as rpcErrorDetails from './gen/google/rpc/error_details';
export * as protobufAny from './gen/google/protobuf/any';

/** Where the .proto sources live, for server reflection (proto-loader needs the files). */
export const PROTO_INCLUDE_DIRS = [
  process.env.RAMPART_PROTO_DIR ?? path.resolve(__dirname, '../../../proto'),
  path.dirname(require.resolve('google-proto-files/package.json')),
];
