import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DNS1123_LABEL_ERROR,
  ENV_VAR_NAME_ERROR,
  isCIdentifier,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  validateObjectName,
} from './names.js';

const cases: { name: string; fn: (v: string) => string[]; value: string; want: string[] }[] = [
  { name: 'a lowercase label is valid', fn: isDNS1123Label, value: 'web-1', want: [] },
  { name: 'an underscore breaks a label with the upstream message', fn: isDNS1123Label, value: 'Foo_Bar', want: [DNS1123_LABEL_ERROR] },
  { name: 'a label may not contain dots', fn: isDNS1123Label, value: 'a.b', want: ['must not contain dots'] },
  { name: 'a label longer than 63 characters is too long', fn: isDNS1123Label, value: 'a'.repeat(64), want: ['must be no more than 63 characters'] },
  { name: 'a subdomain may contain dots', fn: isDNS1123Subdomain, value: 'a.b-c.d', want: [] },
  { name: 'a subdomain may not end with a dash', fn: isDNS1123Subdomain, value: 'abc-', want: [
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ] },
  { name: 'a prefixed qualified name is valid', fn: isQualifiedName, value: 'app.kubernetes.io/name', want: [] },
  { name: 'an empty prefix is reported', fn: isQualifiedName, value: '/name', want: ['prefix part must be non-empty'] },
  { name: 'two slashes make an invalid qualified name', fn: isQualifiedName, value: 'a/b/c', want: [
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
  ] },
  { name: 'an empty label value is valid', fn: isValidLabelValue, value: '', want: [] },
  { name: 'a label value may not start with a dash', fn: isValidLabelValue, value: '-x', want: [
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ] },
  { name: 'an env name with dots and dashes is valid since 1.30', fn: isEnvVarName, value: 'my.var-1', want: [] },
  { name: 'an env name with = is invalid', fn: isEnvVarName, value: 'A=B', want: [ENV_VAR_NAME_ERROR] },
  { name: 'an env name with a non-ASCII character is invalid', fn: isEnvVarName, value: 'caf\u00e9', want: [ENV_VAR_NAME_ERROR] },
  { name: 'a C identifier may not start with a digit', fn: isCIdentifier, value: '1abc', want: [
    "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')",
  ] },
  { name: 'a config key may not be ..', fn: isConfigMapKey, value: '..', want: ["must not be '..'"] },
  { name: 'a config key may not start with ..', fn: isConfigMapKey, value: '..data', want: ["must not start with '..'"] },
  { name: 'a config key with a slash is invalid', fn: isConfigMapKey, value: 'a/b', want: [
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ] },
  { name: 'a port name needs a letter', fn: isValidPortName, value: '8080', want: ['must contain at least one letter (a-z)'] },
  { name: 'a port name is at most 15 characters', fn: isValidPortName, value: 'abcdefghijklmnop', want: ['must be no more than 15 characters'] },
  { name: 'a port name may not have double hyphens', fn: isValidPortName, value: 'a--b', want: ['must not contain consecutive hyphens (--)'] },
  { name: 'a port name may not contain upper case', fn: isValidPortName, value: 'HTTP', want: ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'] },
];

for (const c of cases) {
  test(c.name, () => assert.deepEqual(c.fn(c.value), c.want));
}

test('generateName may end with a dash but a name may not', () => {
  assert.deepEqual(validateObjectName('subdomain', 'web-', true), []);
  assert.equal(validateObjectName('subdomain', 'web-', false).length, 1);
});
