// What the commands that print objects print: one list each, for the command that checks its input, the
// errors that name the choices, and shell completion (which offers them without loading the commands).

/** get's -o formats, named and ordered as kubectl names them in its error. */
export const GET_OUTPUTS = ['custom-columns', 'custom-columns-file', 'json', 'jsonpath', 'jsonpath-as-json', 'jsonpath-file', 'name', 'wide', 'yaml'];

/** get's -o formats written FORMAT=VALUE (a template, a column spec, a file). */
export const GET_OUTPUTS_WITH_VALUE = new Set(['custom-columns', 'custom-columns-file', 'jsonpath', 'jsonpath-as-json', 'jsonpath-file']);

/** anatomy's -o values besides the default tree. */
export const ANATOMY_OUTPUTS = ['json', 'yaml', 'svg'];

/** The resources describe prints. */
export const DESCRIBABLE = ['pods', 'persistentvolumeclaims', 'persistentvolumes', 'storageclasses'];
