export { startMockProvider } from './server.js';
export type { MockApi, MockProvider, MockProviderOptions, MockStep, MockToolCall, RecordedRequest } from './types.js';
