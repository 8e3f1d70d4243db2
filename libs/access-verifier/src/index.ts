export * from './credential';
export * from './revocations';
export * from './keys';
export * from './offline-verifier';
