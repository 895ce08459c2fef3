// The service account controller of kube-controller-manager: every active namespace has a ServiceAccount
// named "default" — made for the namespaces there at start, for each new one, and made again when it is
// deleted. A namespace being deleted (Terminating) gets none, so its deletion can empty it.
//
// The account is made inside the store's watch callback (the store allows writes there), so a namespace
// created through the API has its default account before the client hears back, and a pod created next
// never meets the admission's "serviceaccount default not found" that a slower controller would cause.

import { PeapodError, errorMessage } from '../errors.js';
import type { KubeObject } from '../k8s/types.js';
import type { ObjectStore, Watch, WatchEvent } from '../store/store.js';
import type { Logger } from '../system/logger.js';

import { DEFAULT_SERVICE_ACCOUNT } from '../k8s/service-accounts.js';

export { DEFAULT_SERVICE_ACCOUNT };

/** The namespaces of `namespaces` that are active and have no default account in `haveDefault`. */
export function namespacesMissingDefault(namespaces: readonly KubeObject[], haveDefault: ReadonlySet<string>): string[] {
  return namespaces.filter((ns) => isActive(ns) && !haveDefault.has(ns.metadata.name ?? '')).map((ns) => ns.metadata.name ?? '');
}

function isActive(ns: KubeObject): boolean {
  const phase = (ns.status as { phase?: string } | undefined)?.phase;
  return !ns.metadata.deletionTimestamp && (phase === undefined || phase === 'Active');
}

export function defaultServiceAccount(namespace: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
}

export interface ServiceAccountsControllerOptions {
  store: ObjectStore;
  logger: Logger;
}

export class ServiceAccountsController {
  private watches: Watch[] = [];

  constructor(private readonly o: ServiceAccountsControllerOptions) {}

  start(): void {
    const { store } = this.o;
    const from = { resourceVersion: store.currentResourceVersion() };
    this.watches.push(store.watch<KubeObject>('namespaces', from, (ev) => this.guard(() => this.onNamespace(ev))));
    this.watches.push(store.watch<KubeObject>('serviceaccounts', from, (ev) => this.guard(() => this.onServiceAccount(ev))));
    const have = new Set(store.list<KubeObject>('serviceaccounts', { fieldSelector: [{ field: 'metadata.name', operator: 'Equals', value: DEFAULT_SERVICE_ACCOUNT }] }).items.map((sa) => sa.metadata.namespace ?? ''));
    for (const ns of namespacesMissingDefault(store.list<KubeObject>('namespaces').items, have)) this.ensure(ns);
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
  }

  private onNamespace(ev: WatchEvent<KubeObject>): void {
    if (ev.type === 'DELETED' || !isActive(ev.object)) return;
    this.ensure(ev.object.metadata.name ?? '');
  }

  private onServiceAccount(ev: WatchEvent<KubeObject>): void {
    if (ev.type !== 'DELETED' || ev.object.metadata.name !== DEFAULT_SERVICE_ACCOUNT) return;
    const ns = this.o.store.tryGet<KubeObject>('namespaces', undefined, ev.object.metadata.namespace ?? '');
    if (ns && isActive(ns)) this.ensure(ns.metadata.name ?? '');
  }

  /** Creates the namespace's default account unless it has one. */
  private ensure(namespace: string): void {
    const { store } = this.o;
    if (!namespace || store.getStored('serviceaccounts', namespace, DEFAULT_SERVICE_ACCOUNT)) return;
    try {
      store.create('serviceaccounts', defaultServiceAccount(namespace));
      this.o.logger.debug({ namespace }, 'created the default service account');
    } catch (err) {
      if (!(err instanceof PeapodError && err.code === 'AlreadyExists')) throw err;
    }
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.o.logger.warn({ err: errorMessage(err) }, 'service account controller');
    }
  }
}
