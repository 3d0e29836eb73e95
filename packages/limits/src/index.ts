export * from './types.js';
export * from './tool-scope.js';
