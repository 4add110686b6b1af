export * from './errors';
export * from './protocol';
export * from './job';
export * from './api';
export * from './events';
export * from './format';
export * from './validate';
export * from './wire';
