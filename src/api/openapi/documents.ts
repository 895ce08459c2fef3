// The OpenAPI documents kubectl needs: /openapi/v3 (index), one v3 document per group version
// (/openapi/v3/api/v1, /openapi/v3/apis/<group>/<version>: paths with the PATCH fieldValidation parameter
// and GVK extension, plus component schemas for explain) and /openapi/v2 (gnostic protobuf for kubectl
// 1.27/1.28, or JSON). Built once per server; each v3 hash follows its document's content.

import { createHash } from 'node:crypto';
import { RESOURCES, type ApiResource } from '../../k8s/registry.js';
import { SERVED_VERSIONS } from '../served-versions.js';

/** Every served resource: the stored kinds and the versions served over another's storage (events.k8s.io). */
const SERVED: ApiResource[] = [...RESOURCES, ...SERVED_VERSIONS.map((v) => v.resource)];
import { ProtoWriter } from './protobuf.js';
import { componentSchemas, schemaNameFor } from './schemas.js';

const FIELD_VALIDATION_DOC =
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict';

/** "api/v1" for the core group, "apis/<group>/<version>" otherwise: the document's key in the v3 index. */
const groupVersionPath = (r: ApiResource) => (r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`);

function collectionPath(r: ApiResource): string {
  return r.namespaced ? `/${groupVersionPath(r)}/namespaces/{namespace}/${r.resource}` : `/${groupVersionPath(r)}/${r.resource}`;
}

function objectPath(r: ApiResource): string {
  return `${collectionPath(r)}/{name}`;
}

/** Upstream's component name of a kind: io.k8s.api.core.v1.Pod, io.k8s.api.storage.v1.StorageClass, ... */
function componentName(r: ApiResource): string {
  if (!r.group) return schemaNameFor(r.kind);
  if (r.group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${r.version}.${r.kind}`;
  return `io.k8s.api.${r.group.replace(/\.k8s\.io$/, '')}.${r.version}.${r.kind}`;
}

const gvk = (r: ApiResource) => ({ group: r.group, version: r.version, kind: r.kind });

function v3Operation(r: ApiResource, action: string, opId: string, withValidation: boolean): Record<string, unknown> {
  const ref = { $ref: `#/components/schemas/${componentName(r)}` };
  const op: Record<string, unknown> = {
    operationId: opId,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(r),
  };
  if (withValidation) {
    op.parameters = [{ name: 'fieldValidation', in: 'query', description: FIELD_VALIDATION_DOC, schema: { type: 'string', uniqueItems: true } }];
  }
  return op;
}

function v3GroupDocument(gitVersion: string, resources: ApiResource[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const r of resources) {
    const k = r.kind;
    paths[collectionPath(r)] = {
      get: v3Operation(r, 'list', `list${k}`, false),
      post: v3Operation(r, 'post', `create${k}`, true),
    };
    paths[objectPath(r)] = {
      get: v3Operation(r, 'get', `read${k}`, false),
      put: v3Operation(r, 'put', `replace${k}`, true),
      patch: v3Operation(r, 'patch', `patch${k}`, true),
      delete: v3Operation(r, 'delete', `delete${k}`, false),
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: gitVersion },
    paths,
    components: { schemas: componentSchemas() },
  };
}

function gvkYaml(r: ApiResource): string {
  return `group: ${r.group ? r.group : '""'}\nkind: ${r.kind}\nversion: ${r.version}\n`;
}

/** The minimal gnostic openapi.v2.Document (field numbers in kube-api.md §1). */
function v2Protobuf(gitVersion: string): Buffer {
  const w = new ProtoWriter();
  w.string(1, '2.0');
  w.message(2, (info) => info.string(1, 'Kubernetes').string(2, gitVersion));
  w.message(8, (paths) => {
    for (const r of SERVED) {
      paths.message(2, (named) => {
        named.string(1, objectPath(r));
        named.message(2, (item) => {
          item.message(8, (op) => {
            op.message(8, (pi) =>
              pi.message(1, (param) =>
                param.message(2, (nonBody) =>
                  nonBody.message(3, (q) => q.string(2, 'query').string(3, FIELD_VALIDATION_DOC).string(4, 'fieldValidation').string(6, 'string')),
                ),
              ),
            );
            op.message(13, (ext) => ext.string(1, 'x-kubernetes-group-version-kind').message(2, (any) => any.string(2, gvkYaml(r))));
          });
        });
      });
    }
  });
  return w.finish();
}

function v2Json(gitVersion: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const r of SERVED) {
    paths[objectPath(r)] = {
      patch: {
        operationId: `patch${r.kind}`,
        parameters: [{ name: 'fieldValidation', in: 'query', type: 'string', uniqueItems: true, description: FIELD_VALIDATION_DOC }],
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk(r),
      },
    };
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: gitVersion }, paths, definitions: {} };
}

export interface OpenApiDocuments {
  v3Index: Record<string, unknown>;
  /** The v3 document of each group version, by its index key ("api/v1", "apis/storage.k8s.io/v1"). */
  v3Groups: Map<string, { json: Buffer; hash: string }>;
  v2Protobuf: Buffer;
  v2Json: Buffer;
}

export function buildOpenApi(gitVersion: string): OpenApiDocuments {
  const byGroup = new Map<string, ApiResource[]>();
  for (const r of SERVED) byGroup.set(groupVersionPath(r), [...(byGroup.get(groupVersionPath(r)) ?? []), r]);
  const v3Groups = new Map<string, { json: Buffer; hash: string }>();
  const paths: Record<string, unknown> = {};
  for (const [key, resources] of byGroup) {
    const json = Buffer.from(JSON.stringify(v3GroupDocument(gitVersion, resources)));
    const hash = createHash('sha512').update(json).digest('hex').slice(0, 128).toUpperCase();
    v3Groups.set(key, { json, hash });
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return {
    v3Index: { paths },
    v3Groups,
    v2Protobuf: v2Protobuf(gitVersion),
    v2Json: Buffer.from(JSON.stringify(v2Json(gitVersion))),
  };
}
