/**
 * Argument checks shared by the components, the Job template and the scripts.
 *
 * Every check throws an Error whose message names the argument, the bad value and what would be
 * accepted, so a wrong stack config fails before Pulumi creates anything.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Kubernetes DNS-1123 label: namespaces, container names, Service names. */
export function isDnsLabel(value: unknown): value is string {
  return typeof value === "string" && value.length <= 63 && DNS_LABEL.test(value);
}

/** A Kubernetes DNS-1123 subdomain: most object names, including pod names. */
export function isDnsSubdomain(value: unknown): value is string {
  return typeof value === "string" && value.length <= 253 && value.split(".").every((part) => DNS_LABEL.test(part));
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

export function requireDnsLabel(what: string, value: unknown): string {
  if (!isDnsLabel(value)) {
    throw new Error(
      `${what} must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a ` +
        `letter or digit, at most 63 characters); got ${show(value)}`,
    );
  }
  return value;
}

export function requireDnsSubdomain(what: string, value: unknown): string {
  if (!isDnsSubdomain(value)) {
    throw new Error(
      `${what} must be a DNS-1123 subdomain (dot-separated DNS labels, at most 253 characters); got ${show(value)}`,
    );
  }
  return value;
}

export function requireIntegerInRange(what: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be a whole number from ${min} to ${max}; got ${show(value)}`);
  }
  return value;
}

// The grammar of docker/distribution's reference package, written out: [domain[:port]/]path[:tag][@digest].
const DOMAIN_PART = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_PART = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const TAG = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
// Like Docker, a first component counts as a registry only if it has a dot or a port or is localhost.
const REF_DOMAIN = `(?:localhost|${DOMAIN_PART}(?:\\.${DOMAIN_PART})+|${DOMAIN_PART}(?=:)|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const IMAGE_REF = new RegExp(`^(?:${REF_DOMAIN}/)?${PATH_PART}(?:/${PATH_PART})*(?::${TAG})?(?:@${DIGEST})?$`);

/** True for references such as `flink:1.20`, `registry.example:5000/team/flink@sha256:…`. */
export function isImageReference(value: unknown): value is string {
  if (typeof value !== "string" || value.length === 0) return false;
  const name = value.split("@")[0].replace(/:[^/]*$/, "");
  return name.length <= 255 && IMAGE_REF.test(value);
}

export function requireImageReference(what: string, value: unknown): string {
  if (!isImageReference(value)) {
    throw new Error(
      `${what} is not a valid image reference: ${show(value)}. Expected [registry[:port]/]name[:tag][@sha256:<64 hex>], ` +
        `with a lower-case name, e.g. "registry.example.com/flink-profiling:1.20" or "flink:2.1"`,
    );
  }
  return value;
}

/** Registry host with an optional port and path, as a push destination: `registry.example.com:5000/team`. */
export function requireRegistry(what: string, value: unknown): string {
  const registry = new RegExp(`^${DOMAIN}(?:/${PATH_PART})*$`);
  if (typeof value !== "string" || !registry.test(value)) {
    throw new Error(
      `${what} must be a registry host with an optional port and path, e.g. "ghcr.io/acme"; got ${show(value)}`,
    );
  }
  return value;
}

/** Label keys and values as Kubernetes accepts them; used for selectors passed in by the caller. */
export function requireLabels(what: string, labels: Record<string, string>): Record<string, string> {
  const key =
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
  const val = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
  for (const [k, v] of Object.entries(labels)) {
    if (!key.test(k) || typeof v !== "string" || !val.test(v)) {
      throw new Error(
        `${what} has an invalid label ${show(k)}: ${show(v)} (keys and values must be valid Kubernetes labels)`,
      );
    }
  }
  return labels;
}

/** Names of Secrets for `imagePullSecrets`: a list of DNS-1123 subdomains, each once. */
export function requireSecretNames(what: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new Error(`${what} must be a list of Secret names; got ${show(value)}`);
  for (const name of value) requireDnsSubdomain(`${what} entry`, name);
  if (new Set(value).size !== value.length) throw new Error(`${what} names a Secret twice: ${value.join(", ")}`);
  return [...value];
}
