import type { LoggerService } from '@backstage/backend-plugin-api';

/** Keeps benchmark output clean: only warnings and errors, on stderr. */
export const quietLogger: LoggerService = {
  error: message => console.error(message),
  warn: message => console.error(message),
  info: () => {},
  debug: () => {},
  child: () => quietLogger,
};
