// The rule-based authorizer: RBAC over the fixed roles and group bindings of roles.ts. It allows a
// request when some rule of some role bound to one of the user's groups allows it, and otherwise
// denies with an empty reason, as RBAC does (its "no opinion" ends in a 403 with no reason appended).
// rulesFor() answers SelfSubjectRulesReview (kubectl auth can-i --list).

import { ruleAllows, type PolicyRule, type RuleRequest } from './policy.js';
import { BINDINGS, type RoleBinding } from './roles.js';
import { servedResources, type ServedResource } from './served.js';
import type { Authorizer, Decision, RequestAttributes, UserInfo } from './types.js';

/** authorization.k8s.io/v1 ResourceRule. */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** authorization.k8s.io/v1 NonResourceRule. */
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

/** The rules that apply to a user, as SubjectRulesReviewStatus carries them. */
export interface SubjectRules {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  /** True when the list may miss rules; peapod's rules are all known, so always false. */
  incomplete: boolean;
}

/** Lists the rules that apply to a user (authorizer.RuleResolver). */
export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): SubjectRules;
}

export interface RuleAuthorizerOptions {
  /** Defaults to peapod's bindings (roles.ts). */
  bindings?: readonly RoleBinding[];
  /** What is served, to spell out rules with exceptResources; defaults to servedResources(). */
  served?: readonly ServedResource[];
}

export class RuleAuthorizer implements Authorizer, RuleResolver {
  private readonly bindings: readonly RoleBinding[];
  private readonly served: readonly ServedResource[];

  constructor(options: RuleAuthorizerOptions = {}) {
    this.bindings = options.bindings ?? BINDINGS;
    this.served = options.served ?? servedResources();
  }

  authorize(attrs: RequestAttributes): Decision {
    for (const b of this.bindingsFor(attrs.user)) {
      if (b.role.rules.some((rule) => ruleAllows(attrs, rule))) {
        return { allowed: true, reason: `allowed by peapod's "${b.role.name}" rules for group "${b.group}"` };
      }
    }
    return { allowed: false, reason: '' };
  }

  /** Every binding applies cluster-wide, so the namespace changes nothing; it is kept for the shape. */
  rulesFor(user: UserInfo, _namespace: string): SubjectRules {
    const out: SubjectRules = { resourceRules: [], nonResourceRules: [], incomplete: false };
    for (const b of this.bindingsFor(user)) {
      for (const rule of b.role.rules) {
        if (rule.resources?.length) out.resourceRules.push(...this.resourceRules(rule));
        if (rule.nonResourceURLs?.length) out.nonResourceRules.push({ verbs: [...rule.verbs], nonResourceURLs: [...rule.nonResourceURLs] });
      }
    }
    return out;
  }

  private bindingsFor(user: UserInfo): RoleBinding[] {
    return this.bindings.filter((b) => user.groups.includes(b.group));
  }

  /** The rule as ResourceRules: itself, or when it has exceptions, what it reaches among the served resources. */
  private resourceRules(rule: PolicyRule): ResourceRule[] {
    if (!rule.exceptResources?.length) return [toResourceRule(rule.verbs, rule.apiGroups, rule.resources, rule.resourceNames)];
    const byGroup = new Map<string, string[]>();
    const open: PolicyRule = { ...rule, resourceNames: undefined };
    for (const s of this.served) {
      const [resource, subresource = ''] = splitResource(s.resource);
      const reaches = s.verbs.some((verb) => {
        const req: RuleRequest = { resourceRequest: true, verb, apiGroup: s.group, resource, subresource, name: '', path: '' };
        return ruleAllows(req, open);
      });
      if (!reaches) continue;
      const list = byGroup.get(s.group) ?? [];
      list.push(s.resource);
      byGroup.set(s.group, list);
    }
    return [...byGroup].map(([group, resources]) => toResourceRule(rule.verbs, [group], resources.sort(), rule.resourceNames));
  }
}

function splitResource(combined: string): [string, string?] {
  const slash = combined.indexOf('/');
  return slash < 0 ? [combined] : [combined.slice(0, slash), combined.slice(slash + 1)];
}

/** Empty lists are left out, as Go's omitempty leaves them out of the JSON. */
function toResourceRule(verbs: string[], apiGroups?: string[], resources?: string[], resourceNames?: string[]): ResourceRule {
  const r: ResourceRule = { verbs: [...verbs] };
  if (apiGroups?.length) r.apiGroups = [...apiGroups];
  if (resources?.length) r.resources = [...resources];
  if (resourceNames?.length) r.resourceNames = [...resourceNames];
  return r;
}
