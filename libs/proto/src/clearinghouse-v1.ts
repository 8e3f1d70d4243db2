/**
 * rampart.clearinghouse.v1 as one namespace over its files (each concern's messages in a file of
 * its own). Names every generated file exports (its package and file names, ts-proto's helper
 * types) are taken from clearinghouse.proto's, once, here. Add a line for each new file.
 */
export { protobufPackage, protobufFileName, type DeepPartial, type Exact, type MessageFns } from './gen/rampart/clearinghouse/v1/clearinghouse';
export * from './gen/rampart/clearinghouse/v1/clearinghouse';
export * from './gen/rampart/clearinghouse/v1/embargo';
export * from './gen/rampart/clearinghouse/v1/scoring';
export * from './gen/rampart/clearinghouse/v1/scanning';
export * from './gen/rampart/clearinghouse/v1/flaws';
export * from './gen/rampart/clearinghouse/v1/operators';
