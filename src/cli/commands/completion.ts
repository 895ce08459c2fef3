// Shell completion as kubectl has it (cobra's model): `peapod completion bash|zsh|fish` prints a script
// whose completion function runs the hidden `peapod __complete -- <words before the cursor...> <current word>`
// on TAB. That prints one candidate a line (`value`, or `value<TAB>description` for zsh and fish) and a
// last line `:<directive>`, cobra's bit set (4: no file completion, 16: directories only, 2: no space
// after the word, 0: files when there is no candidate), which the script turns into the shell's replies.
//
// Commands, flags, option values with a fixed set and resource types come from the command tree and
// tables here: no daemon, no server modules, so TAB is as quick as node starts. Names (pods, namespaces,
// containers, images, objects of a type) come from the daemon through the CLI's own client, for the
// --data-dir, --kubeconfig and -n given on the line being completed; an unreachable daemon gives no
// names, silently, within a short timeout.

import { Command, type Help, type Option } from 'commander';
import { RESOURCES, type ApiResource } from '../../k8s/registry.js';
import type { Pod } from '../../k8s/types.js';
import { CliContext, type CliIO, type GlobalOptions } from '../context.js';
import { findResource, resourcePath } from '../resources.js';
import { ANATOMY_OUTPUTS, DESCRIBABLE, GET_OUTPUTS, GET_OUTPUTS_WITH_VALUE } from '../printable.js';

/** cobra's ShellCompDirective bits, as the scripts read them. */
export const Directive = {
  Default: 0,
  Error: 1,
  NoSpace: 2,
  NoFileComp: 4,
  FilterFileExt: 8,
  FilterDirs: 16,
} as const;

export interface Candidate {
  value: string;
  description?: string;
}

export interface Completion {
  candidates: Candidate[];
  directive: number;
}

/** Where names come from: the daemon (daemonNames), or a fixed set in tests. Failures mean "no names". */
export interface NameSource {
  namespaces(): Promise<string[]>;
  /** Names of the resource's objects, in the line's namespace (else the context's) when it is namespaced. */
  names(r: ApiResource): Promise<string[]>;
  /** The pod's containers: init, regular and ephemeral ones. */
  containers(pod: string): Promise<string[]>;
  images(): Promise<Candidate[]>;
}

/** Makes the name source for the global options given on the line being completed. */
export type NameSourceFor = (globals: GlobalOptions) => NameSource;

import type { Shell } from './completion-commands.js';
export { SHELLS, type Shell } from './completion-commands.js';

/** What `-o` takes where the option has no fixed choices (the commands check their own, from the same lists). */
export const OUTPUT_FORMATS: Record<string, string[]> = {
  get: GET_OUTPUTS.map((f) => (GET_OUTPUTS_WITH_VALUE.has(f) ? `${f}=` : f)),
  anatomy: ANATOMY_OUTPUTS,
};

/** Commands whose arguments are TYPE NAME..., TYPE/NAME... or TYPE,TYPE NAME...; describe knows fewer types. */
const TYPE_COMMANDS = new Set(['get', 'describe', 'delete']);

/** Options whose value is a file, or a directory (beside those whose long name says so). */
const FILE_OPTIONS = new Set(['--kubeconfig', '--filename', '--input']);

// ---------------------------------------------------------------------------------------------
// Reading the line

interface LineState {
  /** The deepest command the words name, and its path from the root (without the program). */
  cmd: Command;
  path: string[];
  /** The command's operands so far. */
  positionals: string[];
  /** Option values given (attribute name → last value; 'true' for a flag). */
  values: Map<string, string>;
  given: Set<Option>;
  /** The last word was an option that takes a value, not given yet. */
  pending?: Option;
  /** After `help`: the next word is a command name. */
  help: boolean;
  /** After `--`: every word is an operand. */
  literal: boolean;
}

const chain = (cmd: Command): Command[] => {
  const out: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) out.push(c);
  return out;
};

function findOption(cmd: Command, flag: string): Option | undefined {
  for (const c of chain(cmd)) {
    const o = c.options.find((x) => x.long === flag || x.short === flag);
    if (o) return o;
  }
  return undefined;
}

const takesValue = (o: Option) => o.required || o.optional;
const optionLike = (w: string) => w.length > 1 && w.startsWith('-');

function findCommand(cmd: Command, name: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

/** Walks the words before the cursor as commander parses them: options anywhere, `--` ends them. */
function readLine(root: Command, words: string[]): LineState {
  const st: LineState = { cmd: root, path: [], positionals: [], values: new Map(), given: new Set(), help: false, literal: false };
  const record = (o: Option, v: string) => {
    st.values.set(o.attributeName(), v);
    st.given.add(o);
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (st.pending) {
      record(st.pending, w);
      st.pending = undefined;
      continue;
    }
    if (!st.literal && w === '--') {
      st.literal = true;
      continue;
    }
    if (!st.literal && optionLike(w)) {
      const eq = w.startsWith('--') ? w.indexOf('=') : -1;
      const whole = findOption(st.cmd, eq > 0 ? w.slice(0, eq) : w);
      if (whole) {
        if (eq > 0) {
          if (takesValue(whole)) record(whole, w.slice(eq + 1));
        } else if (!takesValue(whole)) {
          record(whole, 'true');
        } else if (whole.required || i + 1 === words.length || !optionLike(words[i + 1])) {
          // A required value is the next word whatever it is; an optional one unless it looks like an option.
          if (i + 1 === words.length) st.pending = whole;
          else record(whole, words[++i]);
        } else {
          record(whole, 'true');
        }
        continue;
      }
      if (!w.startsWith('--')) {
        // -abc: flags, up to one that takes a value (the rest of the word, else the next word).
        for (let rest = w.slice(1); rest; ) {
          const o = findOption(st.cmd, `-${rest[0]}`);
          if (!o) break;
          rest = rest.slice(1);
          if (!takesValue(o)) {
            record(o, 'true');
            continue;
          }
          if (rest) record(o, rest);
          else if (i + 1 === words.length) st.pending = o;
          else if (o.required || !optionLike(words[i + 1])) record(o, words[++i]);
          break;
        }
      }
      continue; // an unknown option: commander would refuse it; it takes no value here
    }
    if (st.positionals.length === 0 && !st.help && st.cmd.commands.length > 0) {
      const sub = findCommand(st.cmd, w);
      if (sub) {
        st.cmd = sub;
        st.path.push(sub.name());
        continue;
      }
      if (w === 'help') {
        st.help = true;
        continue;
      }
    }
    st.positionals.push(w);
  }
  return st;
}

// ---------------------------------------------------------------------------------------------
// Candidates

/** A description short enough for a menu line: up to the first aside, at most 60 characters. */
function brief(text: string | undefined): string | undefined {
  if (!text) return undefined;
  let t = text.split(/; | \(default|: /)[0].trim();
  if (t.length > 60) t = `${t.slice(0, 59).trimEnd()}…`;
  return t || undefined;
}

const NONE: Completion = { candidates: [], directive: Directive.NoFileComp };
const words = (values: string[], description?: (v: string) => string | undefined): Completion => ({
  candidates: values.map((value) => ({ value, description: description?.(value) })),
  directive: Directive.NoFileComp,
});

function subcommands(help: Help, cmd: Command): Completion {
  return {
    candidates: help.visibleCommands(cmd).map((c) => ({ value: c.name(), description: brief(c.description()) })),
    directive: Directive.NoFileComp,
  };
}

function flags(help: Help, st: LineState, toComplete: string): Completion {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (value: string | undefined, description: string | undefined) => {
    if (!value || seen.has(value)) return;
    seen.add(value);
    out.push({ value, description });
  };
  for (const c of chain(st.cmd)) {
    for (const o of help.visibleOptions(c)) {
      // A flag given once is not offered again, unless it collects a value per use (--group, --insecure-registry).
      if (st.given.has(o) && !Array.isArray(o.defaultValue)) continue;
      const d = brief(o.description);
      add(o.long, d);
      if (!toComplete.startsWith('--')) add(o.short, d);
    }
  }
  return { candidates: out, directive: Directive.NoFileComp };
}

/** The plural and short names of the types a command takes (kubectl's names), each with its kind. */
function typeNames(command: string): Candidate[] {
  const out: Candidate[] = [];
  for (const r of RESOURCES) {
    if (command === 'describe' && !DESCRIBABLE.includes(r.resource)) continue;
    for (const value of [r.resource, ...r.shortNames]) out.push({ value, description: r.kind });
  }
  return out;
}

function resourceOf(type: string): ApiResource | undefined {
  try {
    return findResource(type);
  } catch {
    return undefined;
  }
}

async function namesOf(source: NameSource, type: string, exclude: string[] = []): Promise<string[]> {
  const r = resourceOf(type);
  if (!r) return [];
  return (await source.names(r).catch(() => [])).filter((n) => !exclude.includes(n));
}

/** get/describe/delete: TYPE[,TYPE...] then names, or TYPE/NAME words. */
async function typeArgs(st: LineState, toComplete: string, source: () => NameSource): Promise<Completion> {
  const command = st.path[0];
  const [first, ...names] = st.positionals;
  const slash = toComplete.indexOf('/');
  if (slash > 0 && (first === undefined || first.includes('/'))) {
    const type = toComplete.slice(0, slash);
    const given = st.positionals.filter((p) => p.startsWith(`${type}/`)).map((p) => p.slice(slash + 1));
    return words((await namesOf(source(), type, given)).map((n) => `${type}/${n}`));
  }
  if (first === undefined) {
    // TYPE, or TYPE,TYPE... (the types already listed are not offered again).
    const comma = toComplete.lastIndexOf(',');
    const before = toComplete.slice(0, comma + 1);
    const listed = before.split(',').filter(Boolean);
    return {
      candidates: typeNames(command).filter((c) => !listed.includes(c.value)).map((c) => ({ ...c, value: before + c.value })),
      directive: Directive.NoFileComp,
    };
  }
  if (first.includes('/')) {
    // After TYPE/NAME, only TYPE/NAME words: the type, then `/`, then its names.
    return { candidates: typeNames(command).map((c) => ({ ...c, value: `${c.value}/` })), directive: Directive.NoFileComp | Directive.NoSpace };
  }
  const types = first.split(',').filter(Boolean);
  const all = new Set<string>();
  for (const t of types) for (const n of await namesOf(source(), t, names)) all.add(n);
  return words([...all]);
}

async function positional(help: Help, st: LineState, toComplete: string, source: () => NameSource): Promise<Completion> {
  if (st.help) return st.positionals.length === 0 ? subcommands(help, st.cmd) : NONE;
  if (st.cmd.commands.length > 0) return st.positionals.length === 0 ? subcommands(help, st.cmd) : NONE;
  const command = st.path.join(' ');
  if (TYPE_COMMANDS.has(command)) return typeArgs(st, toComplete, source);
  const args = st.cmd.registeredArguments;
  const i = st.positionals.length;
  const arg = i < args.length ? args[i] : args[args.length - 1]?.variadic ? args[args.length - 1] : undefined;
  if (!arg) return NONE;
  if (arg.argChoices) return words(arg.argChoices);
  if (arg.name() === 'pod') return words(await source().names(findResource('pods')).catch(() => []));
  if (command === 'image rm') {
    const given = st.positionals;
    const images = await source().images().catch(() => []);
    return { candidates: images.filter((c) => !given.includes(c.value)), directive: Directive.NoFileComp };
  }
  if (command === 'image import' && i === 0) return { candidates: [], directive: Directive.Default };
  return NONE;
}

/** A value for option `o`; `prefix` is what precedes the value in the word (`--namespace=`, `-n`). */
async function optionValue(st: LineState, o: Option, prefix: string, source: () => NameSource): Promise<Completion> {
  const long = o.long ?? '';
  const attr = o.attributeName();
  const withPrefix = (c: Completion): Completion => ({ ...c, candidates: c.candidates.map((x) => ({ ...x, value: prefix + x.value })) });
  if (o.argChoices) return withPrefix(words(o.argChoices));
  if (attr === 'namespace') return withPrefix(words(await source().namespaces().catch(() => [])));
  if (attr === 'output') return withPrefix(words(OUTPUT_FORMATS[st.path.join(' ')] ?? []));
  if ((attr === 'container' && st.path[0] !== 'debug') || attr === 'target') {
    const podArg = st.cmd.registeredArguments.findIndex((a) => a.name() === 'pod');
    const pod = podArg >= 0 ? st.positionals[podArg] : undefined;
    return withPrefix(words(pod ? await source().containers(pod).catch(() => []) : []));
  }
  if (attr === 'image') return withPrefix({ candidates: await source().images().catch(() => []), directive: Directive.NoFileComp });
  if (FILE_OPTIONS.has(long) || long.endsWith('-file')) return { candidates: [], directive: Directive.Default };
  if (long.endsWith('-dir') || long.endsWith('-path')) return { candidates: [], directive: Directive.FilterDirs };
  if (/\[bool\]/.test(o.flags)) return withPrefix(words(['true', 'false']));
  return NONE;
}

/**
 * The candidates for the word being completed (`toComplete`), given the words before it (`args`,
 * without the program name), the command tree and where names come from. Pure apart from `names`.
 */
export async function complete(root: Command, args: string[], toComplete: string, names: NameSourceFor): Promise<Completion> {
  const help = root.createHelp();
  const st = readLine(root, args);
  let src: NameSource | undefined;
  const source = () => {
    const g: GlobalOptions = {};
    const [ns, dataDir, kubeconfig] = ['namespace', 'dataDir', 'kubeconfig'].map((k) => st.values.get(k));
    if (ns) g.namespace = ns;
    if (dataDir) g.dataDir = dataDir;
    if (kubeconfig) g.kubeconfig = kubeconfig;
    return (src ??= names(g));
  };
  let result: Completion;
  const flagLike = optionLike(toComplete) || toComplete === '-';
  if (st.pending?.optional && flagLike) st.given.add(st.pending); // --wait -: the flag, without its optional value
  else if (st.pending) return finish(toComplete, await optionValue(st, st.pending, '', source));
  if (!st.literal && flagLike) {
    const long = /^(--[^=]+)=/.exec(toComplete);
    const short = /^-([^-])./.exec(toComplete);
    const o = long ? findOption(st.cmd, long[1]) : short ? findOption(st.cmd, `-${short[1]}`) : undefined;
    if (long) result = o && takesValue(o) ? await optionValue(st, o, `${long[1]}=`, source) : NONE;
    else if (o && takesValue(o)) result = await optionValue(st, o, `-${short![1]}`, source);
    else result = flags(help, st, toComplete);
  } else {
    result = await positional(help, st, toComplete, source);
  }
  return finish(toComplete, result);
}

/** Keeps the candidates that start with what is typed; no space after one that ends in = or /. */
function finish(toComplete: string, result: Completion): Completion {
  const candidates = result.candidates.filter((c) => c.value.startsWith(toComplete));
  let directive = result.directive;
  // A value still to be typed after `=` or `/` (jsonpath=, pods/): no space after it.
  if (candidates.length > 0 && candidates.every((c) => /[=/]$/.test(c.value))) directive |= Directive.NoSpace;
  return { candidates, directive };
}

/** The lines `__complete` prints: a candidate a line (tab, description), then `:<directive>`. */
export function formatCompletion(c: Completion): string {
  const clean = (s: string) => s.replace(/[\t\n]/g, ' ');
  return [...c.candidates.map((x) => (x.description ? `${clean(x.value)}\t${clean(x.description)}` : clean(x.value))), `:${c.directive}`].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Names from the daemon

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
    timer.unref();
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Names from the daemon the line's options select, through the CLI's client. Each lookup gives up
 * after `timeoutMs` (the CLI exits when __complete has printed, so a stuck connection ends with it).
 */
export function daemonNames(io: CliIO, globals: GlobalOptions, timeoutMs = 2000): NameSource {
  const ctx = new CliContext(io, globals);
  const list = async (r: ApiResource) => {
    const api = await ctx.api();
    const path = resourcePath(r, r.namespaced ? await ctx.namespace() : undefined);
    const res = await api.json<{ items?: { metadata?: { name?: string } }[] }>('GET', path);
    return (res.items ?? []).map((x) => x.metadata?.name ?? '').filter(Boolean);
  };
  return {
    namespaces: () => within(timeoutMs, list(findResource('namespaces'))),
    names: (r) => within(timeoutMs, list(r)),
    containers: (pod) =>
      within(
        timeoutMs,
        (async () => {
          const api = await ctx.api();
          const p = await api.json<Pod>('GET', resourcePath(findResource('pods'), await ctx.namespace(), pod));
          const spec = p.spec;
          return [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])].map((c) => c.name);
        })(),
      ),
    images: () =>
      within(
        timeoutMs,
        (async () => {
          const api = await ctx.api();
          const res = await api.json<{ items?: { id: string; repoTags: string[] }[] }>('GET', '/peapod/v1/images');
          const out: Candidate[] = [];
          for (const img of res.items ?? []) {
            const id = img.id.replace(/^sha256:/, '').slice(0, 12);
            if (img.repoTags.length === 0) out.push({ value: id, description: 'untagged image' });
            for (const t of img.repoTags) out.push({ value: t, description: id });
          }
          return out;
        })(),
      ),
  };
}

// ---------------------------------------------------------------------------------------------
// The scripts

/** A shell function name for the program (peapod → __peapod). */
const fn = (prog: string) => `__${prog.replace(/[^A-Za-z0-9_]/g, '_')}`;

function bashScript(prog: string): string {
  const f = fn(prog);
  return `# bash completion for ${prog}: \`source <(${prog} completion bash)\`. Plain bash; the bash-completion
# package is not needed. On TAB it runs \`${prog} __complete -- WORDS... CURRENT\`, which prints candidates and
# a last line :DIRECTIVE (4 no files, 16 directories, 2 no space, 1 error, 0 files when no candidate).

${f}_complete() {
    local line=\${COMP_LINE:0:COMP_POINT}
    local -a words=()
    local i w rest trimmed seg gap pos=0
    # COMP_WORDS is split at COMP_WORDBREAKS (= and : among them): join the pieces the line has no
    # space between, so --namespace=ku and busybox:la are one word each, up to the cursor.
    for ((i = 0; i <= COMP_CWORD; i++)); do
        w=\${COMP_WORDS[i]}
        rest=\${line:pos}
        trimmed=\${rest#"\${rest%%[![:space:]]*}"}
        gap=$(( \${#rest} - \${#trimmed} ))
        if (( i == COMP_CWORD )); then
            seg=$trimmed
        elif [[ $trimmed == "$w"* ]]; then
            seg=$w
        else
            return 0
        fi
        if (( i > 0 && gap == 0 )); then
            words[\${#words[@]}-1]+=$seg
        else
            words+=("$seg")
        fi
        (( pos += gap + \${#seg} ))
    done
    local cur=\${words[\${#words[@]}-1]}

    # Readline replaces only the text after the last word-break character: strip what comes before it.
    local breaks="" keep=""
    [[ $COMP_WORDBREAKS == *=* ]] && breaks+="="
    [[ $COMP_WORDBREAKS == *:* ]] && breaks+=":"
    if [[ -n $breaks ]]; then
        local tail=\${cur##*[$breaks]}
        keep=\${cur:0:\${#cur}-\${#tail}}
    fi

    local prog=\${words[0]}
    [[ $prog == "~/"* ]] && prog=$HOME/\${prog:2}
    local out
    out=$("$prog" __complete -- "\${words[@]:1:\${#words[@]}-2}" "$cur" 2>/dev/null) || return 0

    local directive=1 l c
    local -a cands=()
    while IFS= read -r l; do
        if [[ $l == :* ]]; then
            directive=\${l:1}
            continue
        fi
        c=\${l%%$'\\t'*}
        [[ -n $c && $c == "$cur"* ]] && cands+=("\${c:\${#keep}}")
    done <<< "$out"
    [[ $directive =~ ^[0-9]+$ ]] || directive=1

    COMPREPLY=()
    if (( directive & 1 )); then
        compopt +o default 2>/dev/null
        return 0
    fi
    if (( \${#cands[@]} > 0 )); then
        COMPREPLY=("\${cands[@]}")
        (( directive & 2 )) && compopt -o nospace 2>/dev/null
        return 0
    fi
    if (( directive & 16 )); then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "\${cur:\${#keep}}")
    elif (( directive & 4 )); then
        compopt +o default 2>/dev/null
    fi
    # Else: no reply, and \`complete -o default\` completes file names.
    return 0
}

complete -o default -F ${f}_complete ${prog}
`;
}

function zshScript(prog: string): string {
  return `#compdef ${prog}
# zsh completion for ${prog}: \`source <(${prog} completion zsh)\` after compinit, or save it as _${prog} in
# a directory of $fpath. On TAB it runs \`${prog} __complete -- WORDS... CURRENT\`, which prints candidates
# (value<TAB>description) and a last line :DIRECTIVE (4 no files, 16 directories, 2 no space, 1 error).

_${prog}() {
    local cur=\${(Q)PREFIX} prog=\${words[1]} out l v d keep=""
    local -a args lines cands nospace
    [[ $prog == '~/'* ]] && prog=$HOME/\${prog#\\~/}
    args=("\${(@Q)words[2,CURRENT-1]}")
    out=$("$prog" __complete -- "\${args[@]}" "$cur" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    local directive=\${lines[-1]#:}
    [[ \${lines[-1]} == :* && $directive == <-> ]] || return 1
    lines=("\${(@)lines[1,-2]}")
    (( directive & 1 )) && return 1

    # --flag=value: complete the value only.
    if [[ $cur == -*=* ]]; then
        keep=\${cur%%=*}=
        compset -P 1 '*='
    fi
    for l in "\${lines[@]}"; do
        [[ -z $l ]] && continue
        v=\${l%%$'\\t'*}
        d=""
        [[ $l == *$'\\t'* ]] && d=\${l#*$'\\t'}
        v=\${v#$keep}
        v=\${v//:/\\\\:}
        cands+=("$v\${d:+:$d}")
    done
    (( directive & 2 )) && nospace=(-S '')
    if (( \${#cands} > 0 )); then
        _describe -t ${prog}-completions '${prog}' cands "\${nospace[@]}"
    elif (( directive & 16 )); then
        _files -/
    elif (( ! (directive & 4) )); then
        _files
    else
        return 1
    fi
}

if [[ \${funcstack[1]} == _${prog} ]]; then
    # Autoloaded from $fpath: this file is the body of _${prog}; run the function just defined.
    _${prog} "$@"
else
    compdef _${prog} ${prog}
fi
`;
}

function fishScript(prog: string): string {
  const f = fn(prog);
  return `# fish completion for ${prog}: \`${prog} completion fish > ~/.config/fish/completions/${prog}.fish\`, or
# \`${prog} completion fish | source\`. On TAB it runs \`${prog} __complete -- WORDS... CURRENT\`, which prints
# candidates (value<TAB>description) and a last line :DIRECTIVE (4 no files, 16 directories, 1 error).

function ${f}_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l prog $tokens[1]
    set -e tokens[1]
    set -l out ($prog __complete -- $tokens $cur 2>/dev/null)
    or return
    set -l last $out[-1]
    string match -qr '^:[0-9]+$' -- $last
    or return
    set -l directive (string sub -s 2 -- $last)
    set -e out[-1]
    test (math "bitand($directive, 1)") -ne 0; and return
    if test (count $out) -gt 0
        printf '%s\\n' $out
        return
    end
    # Files or directories; for --flag=VALUE, of VALUE, the flag kept in front.
    set -l keep ''
    set -l path $cur
    if string match -qr -- '^-[^=]*=' $cur
        set keep (string replace -r -- '=.*' '=' $cur)
        set path (string replace -r -- '^[^=]*=' '' $cur)
    end
    if test (math "bitand($directive, 16)") -ne 0
        for p in (__fish_complete_directories $path)
            echo $keep$p
        end
    else if test (math "bitand($directive, 4)") -eq 0
        for p in (__fish_complete_path $path)
            echo $keep$p
        end
    end
end

complete -c ${prog} -e
complete -c ${prog} -f -a '(${f}_complete)'
`;
}

export function completionScript(shell: Shell, prog: string): string {
  return shell === 'bash' ? bashScript(prog) : shell === 'zsh' ? zshScript(prog) : fishScript(prog);
}

export { addCompletionCommands } from './completion-commands.js';
