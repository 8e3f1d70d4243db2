export * from './servers';
export * from './jaeger-client';
export * from './auth';
export * from './service-process';
export * from './environment';
export * from './streams';
export * from './containers';
export * from './authorization-matrix';
