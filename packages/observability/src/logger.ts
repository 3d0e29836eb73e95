import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Paths never written in clear: credentials always, bodies unless content logging is on. */
export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  '["x-api-key"]',
  '*["x-api-key"]',
  '*.headers["x-api-key"]',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  'token',
  '*.token',
];

const CONTENT_PATHS = ['body', '*.body', 'messages', '*.messages', 'prompt', '*.prompt', 'completion', '*.completion'];

export interface LoggerConfig {
  level?: string;
  /** The service name, on every line. */
  service: string;
  /** Log prompt and completion bodies (off by default). */
  logContent?: boolean;
  /** Where to write (stdout by default); tests pass a stream. */
  destination?: DestinationStream;
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { service: config.service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: config.logContent ? REDACT_PATHS : [...REDACT_PATHS, ...CONTENT_PATHS], censor: '[redacted]' },
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}
