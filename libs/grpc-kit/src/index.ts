export * from './status';
export * from './handler';
export * from './server';
export * from './lifecycle';
export * from './client';
export * from './abort';
export * from './audit';
export * from './call-scope';
