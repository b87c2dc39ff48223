import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The project's real error samples: ../shared/error-samples beside the checkout (as in CI, always the
 * current set), or else the copy kept in the repo (test/fixtures/shared-error-samples), so that a clone
 * anywhere passes its tests. Ends with a slash.
 */
export const SHARED_SAMPLES_DIR =
  [resolve(import.meta.dirname, '../../../shared/error-samples'), resolve(import.meta.dirname, '../fixtures/shared-error-samples')].find(
    (d) => existsSync(d),
  )! + '/';

/** More real responses collected beyond the shared ones (same format), kept with the tests. Ends with a slash. */
export const LOCAL_SAMPLES_DIR = resolve(import.meta.dirname, '../fixtures/samples') + '/';
