export * from './roles';
export * from './caller';
export * from './verifier';
export * from './keys';
export * from './keyset';
