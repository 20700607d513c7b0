import type { Logger } from 'pino';
import { DatabaseUnavailableError } from '../core/errors.js';
import { isConnectionFailure } from '../db/connection-errors.js';

/**
 * Keeps a service process alive through a database outage. Libraries we run on (pg-boss's workers
 * record a job's completion or failure without awaiting it) can leave a rejected promise nobody
 * handles when the database vanishes mid-job; Node ends the process for that, and ingestion then
 * stayed stopped until someone restarted it. A rejection that only says "the database is not
 * there" is logged and survived: every caller retries on its own (workers poll, the pool
 * reconnects, unfinished jobs expire and run again). Anything else is still a bug and still fatal.
 */
export function installOutageTolerance(logger: Logger): () => void {
  const onUnhandledRejection = (reason: unknown): void => {
    if (reason instanceof DatabaseUnavailableError || isConnectionFailure(reason)) {
      logger.warn({ err: reason }, 'database unavailable during background work; it will be retried');
      return;
    }
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    // The default behaviour, made explicit now that a listener replaces it.
    process.exit(1);
  };
  process.on('unhandledRejection', onUnhandledRejection);
  return () => process.off('unhandledRejection', onUnhandledRejection);
}
