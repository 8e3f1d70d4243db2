/**
 * Code generated from proto/ by `buf generate` (ts-proto, grpc-js services) at build time; the
 * generated files under src/gen are never edited or committed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

export * as intakeV1 from './gen/rampart/intake/v1/intake';
export * as designationV1 from './gen/rampart/designation/v1/designation';
export * as accessV1 from './gen/rampart/access/v1/access';
export * as clearinghouseV1 from './clearinghouse-v1';
export * as enforcementV1 from './gen/rampart/enforcement/v1/enforcement';
export * as rpcStatus from './gen/google/rpc/status';
export * as rpcErrorDetails from './gen/google/rpc/error_details';
export * as protobufAny from './gen/google/protobuf/any';

/**
 * Every .proto of the APIs with everything they import (google/protobuf well-known types,
 * google/rpc), as one FileDescriptorSet that the build writes with `buf build` next to the generated
 * code. The same path from src/ (tests) and dist/ (services, images): no .proto files at run time.
 */
export const DESCRIPTOR_SET_PATH = path.resolve(__dirname, '../src/gen/descriptors.binpb');

/** The serialized FileDescriptorProto of each file in the set, for server reflection. */
export function fileDescriptorProtos(file = DESCRIPTOR_SET_PATH): Uint8Array[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new Error(`no descriptor set at ${file}: run \`pnpm run generate\` (part of \`pnpm run build\`)`, { cause });
  }
  // FileDescriptorSet is `repeated FileDescriptorProto file = 1`; each file stays in its own bytes.
  const reader = new BinaryReader(bytes);
  const files: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) files.push(reader.bytes());
    else reader.skip(wireType, field);
  }
  return files;
}
