// Timestamps as Kubernetes serialises metav1.Time.

/** RFC 3339 UTC with second precision. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
