// The OpenAPI documents kubectl needs: /openapi/v3 (index), /openapi/v3/api/v1 (paths with the PATCH
// fieldValidation parameter and GVK extension, plus component schemas for explain) and /openapi/v2
// (gnostic protobuf for kubectl 1.27/1.28, or JSON). Built once per server; the v3 hash follows content.

import { createHash } from 'node:crypto';
import { RESOURCES, type ApiResource } from '../../k8s/registry.js';
import { ProtoWriter } from './protobuf.js';
import { componentSchemas, schemaNameFor } from './schemas.js';

const FIELD_VALIDATION_DOC =
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict';

function objectPath(r: ApiResource): string {
  return r.namespaced ? `/api/v1/namespaces/{namespace}/${r.resource}/{name}` : `/api/v1/${r.resource}/{name}`;
}

function collectionPath(r: ApiResource): string {
  return r.namespaced ? `/api/v1/namespaces/{namespace}/${r.resource}` : `/api/v1/${r.resource}`;
}

const gvk = (r: ApiResource) => ({ group: '', version: 'v1', kind: r.kind });

function v3Operation(r: ApiResource, action: string, opId: string, withValidation: boolean): Record<string, unknown> {
  const ref = { $ref: `#/components/schemas/${schemaNameFor(r.kind)}` };
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

function v3GroupDocument(gitVersion: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES) {
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
  return `group: ""\nkind: ${r.kind}\nversion: v1\n`;
}

/** The minimal gnostic openapi.v2.Document (field numbers in kube-api.md §1). */
function v2Protobuf(gitVersion: string): Buffer {
  const w = new ProtoWriter();
  w.string(1, '2.0');
  w.message(2, (info) => info.string(1, 'Kubernetes').string(2, gitVersion));
  w.message(8, (paths) => {
    for (const r of RESOURCES) {
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
  for (const r of RESOURCES) {
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
  v3GroupJson: Buffer;
  v3Hash: string;
  v2Protobuf: Buffer;
  v2Json: Buffer;
}

export function buildOpenApi(gitVersion: string): OpenApiDocuments {
  const v3GroupJson = Buffer.from(JSON.stringify(v3GroupDocument(gitVersion)));
  const v3Hash = createHash('sha512').update(v3GroupJson).digest('hex').slice(0, 128).toUpperCase();
  return {
    v3Index: { paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${v3Hash}` } } },
    v3GroupJson,
    v3Hash,
    v2Protobuf: v2Protobuf(gitVersion),
    v2Json: Buffer.from(JSON.stringify(v2Json(gitVersion))),
  };
}
