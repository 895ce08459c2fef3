// Suites print their daemon or runtime log only when something failed: a test body wrapped here tells
// the suite (onFail) before the failure propagates to the runner.

/** `fn` as a test body that calls `onFail` when it throws, then rethrows. */
export function reportingFailure(fn: () => Promise<void>, onFail: () => void): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (err) {
      onFail();
      throw err;
    }
  };
}
