import { describe, expect, it } from "vitest";
import {
  fieldValue,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from "./selectors.ts";

const labels = { app: "flink", component: "taskmanager", tier: "b" };
const match = (sel: string, l: Record<string, string> = labels) => matchesLabels(parseLabelSelector(sel), l);

describe("label selectors", () => {
  it("equality and inequality", () => {
    expect(match("app=flink")).toBe(true);
    expect(match("app==flink,component=taskmanager")).toBe(true);
    expect(match("app=other")).toBe(false);
    expect(match("app!=other")).toBe(true);
    expect(match("app!=flink")).toBe(false);
    // != also matches objects that lack the label, as in Kubernetes.
    expect(match("missing!=x")).toBe(true);
  });

  it("set-based in / notin with spaces and commas inside the set", () => {
    expect(match("tier in (a, b)")).toBe(true);
    expect(match("tier in (a,c)")).toBe(false);
    expect(match("tier notin (a,c),app=flink")).toBe(true);
    expect(match("tier notin (b)")).toBe(false);
    expect(match("missing notin (b)")).toBe(true);
    expect(match("missing in (b)")).toBe(false);
  });

  it("exists and does-not-exist", () => {
    expect(match("component")).toBe(true);
    expect(match("!component")).toBe(false);
    expect(match("!missing,app")).toBe(true);
  });

  it("empty selector matches everything; garbage is rejected", () => {
    expect(match("")).toBe(true);
    expect(matchesLabels(parseLabelSelector(undefined), undefined)).toBe(true);
    expect(() => parseLabelSelector("a in b")).toThrow(SelectorError);
    expect(() => parseLabelSelector("=x")).toThrow(SelectorError);
  });
});

describe("field selectors", () => {
  const pod = { metadata: { name: "tm-0", namespace: "flink" }, status: { phase: "Running" } };
  it("matches dotted paths with = and !=", () => {
    expect(matchesFields(parseFieldSelector("metadata.name=tm-0"), pod)).toBe(true);
    expect(matchesFields(parseFieldSelector("metadata.name==tm-1"), pod)).toBe(false);
    expect(matchesFields(parseFieldSelector("status.phase!=Running"), pod)).toBe(false);
    expect(matchesFields(parseFieldSelector("metadata.name=tm-0,metadata.namespace=flink"), pod)).toBe(true);
  });
  it("absent fields compare as empty", () => {
    expect(fieldValue(pod, "spec.nodeName")).toBe("");
    expect(matchesFields(parseFieldSelector("spec.nodeName="), pod)).toBe(true);
  });
});
