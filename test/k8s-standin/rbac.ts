// A deliberately small authorizer: everything is allowed unless a deny rule matches, or the
// user has been restricted to an allow-list. Enough to reproduce "RBAC denied" paths with the
// API server's exact 403 messages, without modelling Roles and bindings.
import type { Attributes } from "./status.ts";

type OneOrMany = string | string[];

export type Rule = {
  /** User name, e.g. "alice" or "system:serviceaccount:flink:profiler"; omitted = everyone. */
  user?: OneOrMany;
  /** get, list, watch, create, update, patch, delete, deletecollection, impersonate; "*" = all. */
  verb?: OneOrMany;
  /** "pods", "jobs", "pods/exec", "pods/log"; "*" = all. */
  resource?: OneOrMany;
  /** API group ("" core, "batch"); omitted = any group. */
  group?: string;
  /** Omitted = any namespace, including cluster-scoped requests. */
  namespace?: OneOrMany;
  subresource?: string;
  name?: OneOrMany;
  /** Appended to the Forbidden message, like an authorizer's reason. */
  reason?: string;
};

export type Decision = { allowed: boolean; reason?: string };

const list = (v: OneOrMany | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
const hit = (v: OneOrMany | undefined, actual: string | undefined) => {
  const l = list(v);
  return l === undefined || l.includes("*") || (actual !== undefined && l.includes(actual));
};

export function ruleMatches(rule: Rule, a: Attributes): boolean {
  if (
    !hit(rule.user, a.user) ||
    !hit(rule.verb, a.verb) ||
    !hit(rule.namespace, a.namespace) ||
    !hit(rule.name, a.name)
  )
    return false;
  if (rule.group !== undefined && rule.group !== "*" && rule.group !== a.group) return false;
  const resources = list(rule.resource);
  if (resources === undefined) return true;
  // As in RBAC, "pods" does not grant "pods/exec", and `auth can-i create pods/exec` (resource
  // "pods/exec", no subresource) is the same question as resource "pods" + subresource "exec".
  const want = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return resources.some((r) => {
    const full = rule.subresource && !r.includes("/") ? `${r}/${rule.subresource}` : r;
    if (full === "*" || full === want) return true;
    const [res, sub] = full.split("/");
    const [wres, wsub] = want.split("/");
    return sub !== undefined && wsub !== undefined && (res === "*" || res === wres) && (sub === "*" || sub === wsub);
  });
}

export class Authorizer {
  private denies: Rule[] = [];
  private allowLists = new Map<string, Rule[]>();

  /** Returns a function that lifts the rule again. */
  deny(rule: Rule): () => void {
    this.denies.push(rule);
    return () => {
      this.denies = this.denies.filter((r) => r !== rule);
    };
  }

  /** From now on `user` may do only what one of `rules` matches (rules' `user` is ignored). */
  allowOnly(user: string, rules: Rule[]): () => void {
    this.allowLists.set(user, rules);
    return () => void this.allowLists.delete(user);
  }

  reset(): void {
    this.denies = [];
    this.allowLists.clear();
  }

  check(a: Attributes): Decision {
    const denied = this.denies.find((r) => ruleMatches(r, a));
    if (denied) return { allowed: false, reason: denied.reason };
    const allow = this.allowLists.get(a.user);
    if (allow && !allow.some((r) => ruleMatches({ ...r, user: undefined }, a))) return { allowed: false };
    return { allowed: true };
  }
}
