// Policy rules and how one matches a request, with RBAC's semantics (k8s.io/kubernetes
// plugin/pkg/auth/authorizer/rbac RuleAllows and pkg/apis/rbac/v1 evaluation helpers):
// - verbs and apiGroups match literally or through "*";
// - resources match "*", the resource itself, "resource/subresource" exactly, or "*/subresource";
// - resourceNames, when given, must hold the request's name (so they never match a list or create);
// - nonResourceURLs match "*", the path itself, or a prefix written with a trailing "*".
// A "*" in a request (kubectl auth can-i '*' '*') is matched literally: only a rule with "*" covers it.
//
// RBAC has no deny. peapod adds one field, `exceptResources`, so "every resource but secrets" is
// written as one rule instead of a list that would silently grow with each new resource.

/** One rule of a role: either resource rules (apiGroups, resources) or nonResourceURLs, never both. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  /**
   * peapod's addition: resources this rule never reaches, in any group, even through "*". "secrets"
   * also excludes every secrets subresource; "pods/exec" excludes that subresource only. A request
   * for resource or subresource "*" could mean an excluded one, so such a rule does not match it.
   */
  exceptResources?: string[];
}

/** What a rule is matched against: the resource side or the path side of RequestAttributes. */
export interface RuleRequest {
  resourceRequest: boolean;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  name: string;
  path: string;
}

/** Whether the rule allows the request (rbac.RuleAllows, plus exceptResources). */
export function ruleAllows(req: RuleRequest, rule: PolicyRule): boolean {
  if (!matchesStarOr(rule.verbs, req.verb)) return false;
  if (!req.resourceRequest) return nonResourceURLMatches(rule.nonResourceURLs ?? [], req.path);
  const combined = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
  return (
    matchesStarOr(rule.apiGroups ?? [], req.apiGroup) &&
    resourceMatches(rule.resources ?? [], combined, req.subresource) &&
    resourceNameMatches(rule.resourceNames ?? [], req.name) &&
    !excluded(rule.exceptResources ?? [], req.resource, req.subresource)
  );
}

function matchesStarOr(values: string[], wanted: string): boolean {
  return values.includes('*') || values.includes(wanted);
}

function resourceMatches(ruleResources: string[], combined: string, subresource: string): boolean {
  return ruleResources.some((r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`));
}

function resourceNameMatches(names: string[], name: string): boolean {
  return names.length === 0 || names.includes(name);
}

function nonResourceURLMatches(urls: string[], path: string): boolean {
  return urls.some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

function excluded(except: string[], resource: string, subresource: string): boolean {
  if (except.length === 0) return false;
  if (resource === '*' || subresource === '*') return true;
  return except.includes(resource) || (subresource !== '' && except.includes(`${resource}/${subresource}`));
}
