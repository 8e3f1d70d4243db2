/** A one-method JSON service for the kit's tests over real gRPC on loopback: `/test.v1.Pinger/Ping`. */
import { makeGenericClientConstructor, type Client, type Metadata, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';

const json = { serialize: (v: unknown) => Buffer.from(JSON.stringify(v)), deserialize: (b: Buffer) => JSON.parse(b.toString()) as unknown };

export const PING: ServiceDefinition = {
  ping: { path: '/test.v1.Pinger/Ping', requestStream: false, responseStream: false, requestSerialize: json.serialize, requestDeserialize: json.deserialize, responseSerialize: json.serialize, responseDeserialize: json.deserialize },
};

export const PingClient = makeGenericClientConstructor(PING, 'Pinger');

export interface Pinger extends Client {
  ping(request: object, metadata: Metadata, options: object, callback: (error: ServiceError | null) => void): void;
}

/** The issuer and audience the tests' tokens are minted for. */
export const ISSUER = 'test-issuer';
export const AUDIENCE = 'rampart';
