// Create (#/create): Pod YAML, one document or several, each posted to its namespace's pods collection as
// kubectl create would. The page checks only what it must to address the request (a v1 Pod, a namespace);
// everything else is the server's to validate, and its Status (message, field causes) is shown as it came.
import { useRef, useState } from 'preact/hooks';
import { parseAllDocuments } from 'yaml';
import { KUBE_YAML } from '../../../src/k8s/yaml-schema.js';
import { ApiError, request, type Cause } from '../api.js';
import { podHref } from '../routes.js';
import { chosenNamespace, useNamespaces } from './pods-common.js';
import { NamespaceSelect } from './pods.js';

const PLACEHOLDER = `# For example:
apiVersion: v1
kind: Pod
metadata:
  name: hello
spec:
  containers:
  - name: main
    image: localhost/busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]`;

interface Failure {
  message: string;
  /** YAML syntax errors, each with its line and column in the message. */
  details?: string[];
  causes?: Cause[];
  created?: string[];
}

interface PodDoc {
  index: number;
  namespace: string;
  label: string;
  body: Record<string, unknown>;
}

/** The documents of the text as Pods to post, or the reason they cannot be. */
export function podDocuments(text: string, defaultNs: string): PodDoc[] | Failure {
  const docs = parseAllDocuments(text, KUBE_YAML);
  const list = Array.isArray(docs) ? docs : [docs];
  const syntax: string[] = [];
  list.forEach((d, i) => {
    for (const e of d.errors) syntax.push(list.length > 1 ? `document ${i + 1}: ${e.message}` : e.message);
  });
  if (syntax.length) return { message: 'The YAML does not parse.', details: syntax };
  const out: PodDoc[] = [];
  const wrong: string[] = [];
  list.forEach((d, i) => {
    const v: unknown = d.toJS();
    if (v === null || v === undefined) return; // an empty document (e.g. after a trailing ---)
    const label = `document ${i + 1}`;
    if (typeof v !== 'object' || Array.isArray(v)) {
      wrong.push(`${label} is not a mapping (an object with apiVersion, kind, metadata, spec)`);
      return;
    }
    const o = v as Record<string, unknown>;
    if (o.kind !== 'Pod' || o.apiVersion !== 'v1') {
      wrong.push(`${label} is kind ${JSON.stringify(o.kind ?? null)} apiVersion ${JSON.stringify(o.apiVersion ?? null)}: only kind Pod, apiVersion v1 can be created here`);
      return;
    }
    const md = (o.metadata ?? {}) as Record<string, unknown>;
    const ns = typeof md.namespace === 'string' && md.namespace ? md.namespace : defaultNs;
    const name = typeof md.name === 'string' ? md.name : typeof md.generateName === 'string' ? `${md.generateName}…` : '(no name)';
    out.push({ index: i + 1, namespace: ns, label: `${label} (${ns}/${name})`, body: o });
  });
  if (wrong.length) return { message: wrong.length === 1 ? wrong[0]! : 'Some documents are not Pods.', details: wrong.length === 1 ? [] : wrong };
  if (!out.length) return { message: 'There is nothing to create: the YAML holds no document.' };
  return out;
}

export function CreateView() {
  const area = useRef<HTMLTextAreaElement>(null);
  const [ns, setNs] = useState(() => chosenNamespace() || 'default');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure>();
  const namespaces = useNamespaces();

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFailure(undefined);
    let docs: PodDoc[] | Failure;
    try {
      docs = podDocuments(area.current?.value ?? '', ns || 'default');
    } catch (err) {
      docs = { message: `The YAML does not parse: ${(err as Error).message}` };
    }
    if (!Array.isArray(docs)) return setFailure(docs);
    setBusy(true);
    const created: string[] = [];
    let first: { ns: string; name: string } | undefined;
    try {
      for (const d of docs) {
        try {
          const res = await request('POST', `/api/v1/namespaces/${encodeURIComponent(d.namespace)}/pods`, { body: JSON.stringify(d.body) });
          const pod = (await res.json()) as { metadata?: { name?: string; namespace?: string } };
          const name = pod.metadata?.name ?? String((d.body.metadata as { name?: unknown } | undefined)?.name ?? '');
          const podNs = pod.metadata?.namespace ?? d.namespace;
          created.push(`${podNs}/${name}`);
          first ??= { ns: podNs, name };
        } catch (err) {
          const api = err instanceof ApiError ? err : new ApiError(0, (err as Error).message);
          const where = docs.length > 1 ? `${d.label}: ` : '';
          return setFailure({ message: `${where}${api.message}`, causes: api.causes, created });
        }
      }
    } finally {
      setBusy(false);
    }
    if (first) location.hash = podHref(first.ns, first.name);
  };

  return (
    <section data-testid="create" class="view">
      <h1>Create pods</h1>
      <form class="create" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="create-namespace">Namespace for documents that name none</label>
          <NamespaceSelect id="create-namespace" testid="create-namespace" value={ns} names={namespaces.names.length ? namespaces.names : ['default']} onChange={setNs} />
        </div>
        <div class="field stacked">
          <label for="create-yaml">Pod YAML (several documents separated by a line <code>---</code> create several pods; Ctrl+Enter creates)</label>
          <textarea
            id="create-yaml"
            data-testid="create-yaml"
            rows={22}
            spellcheck={false}
            autocomplete="off"
            placeholder={PLACEHOLDER}
            ref={area}
            onKeyDown={(e) => {
              // Ctrl+Enter (⌘+Enter) submits from the box, as in most editors' forms.
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                (e.currentTarget as HTMLTextAreaElement).form?.requestSubmit();
              }
            }}
            aria-describedby={failure ? 'create-error' : undefined}
          />
        </div>
        {failure && (
          <div id="create-error" data-testid="create-error" class="error-box" role="alert">
            <p class="error">{failure.message}</p>
            {failure.details && failure.details.length > 0 && (
              <ul class="details">
                {failure.details.map((d, i) => (
                  <li key={i}>
                    <pre>{d}</pre>
                  </li>
                ))}
              </ul>
            )}
            {failure.causes && failure.causes.length > 0 && (
              <ul class="causes">
                {failure.causes.map((c, i) => (
                  <li key={i} data-field={c.field ?? ''}>
                    {c.field && <code>{c.field}</code>}
                    {c.field && ': '}
                    {c.message ?? c.reason ?? ''}
                  </li>
                ))}
              </ul>
            )}
            {failure.created && failure.created.length > 0 && (
              <p>
                Created before the error:{' '}
                {failure.created.map((k, i) => {
                  const [pns, pname] = [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)];
                  return (
                    <span key={k}>
                      {i > 0 && ', '}
                      <a href={podHref(pns, pname)}>{k}</a>
                    </span>
                  );
                })}
              </p>
            )}
          </div>
        )}
        <div class="actions">
          <button type="submit" class="primary" data-testid="create-submit" disabled={busy} aria-busy={busy ? 'true' : 'false'}>
            {busy ? 'Creating…' : 'Create'}
          </button>
        </div>
      </form>
    </section>
  );
}
