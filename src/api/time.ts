// metav1.Time for the API's modules: the helper lives with the other wire forms in k8s/time.ts.
export { rfc3339 } from '../k8s/time.js';
