export * from './status';
export * from './handler';
export * from './server';
export * from './lifecycle';
export * from './client';
