export * from './sdk';
export * from './carrier';
export * from './linked-trace';
export * from './messaging';
export * from './logger';
export * from './metrics';
export * from './rpc-metrics';
export * from './service-name';
