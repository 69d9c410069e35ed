// metav1.Status error bodies with the same messages and reasons as the real API server,
// because kubectl prints them verbatim and the scripts under test match on them.
import { qualifiedResource, type ResourceDef } from "./resources.ts";

export class ApiError extends Error {
  code: number;
  reason: string;
  details?: Record<string, unknown>;
  constructor(code: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
  toStatus() {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

function details(def: { group: string; resource: string }, name?: string) {
  return { ...(name ? { name } : {}), ...(def.group ? { group: def.group } : {}), kind: def.resource };
}

export const notFound = (def: { group: string; resource: string }, name: string) =>
  new ApiError(404, "NotFound", `${qualifiedResource(def)} "${name}" not found`, details(def, name));

export const namespaceNotFound = (ns: string) => notFound({ group: "", resource: "namespaces" }, ns);

export const alreadyExists = (def: ResourceDef, name: string) =>
  new ApiError(409, "AlreadyExists", `${qualifiedResource(def)} "${name}" already exists`, details(def, name));

export const conflict = (def: ResourceDef, name: string) =>
  new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(def, name),
  );

export const invalid = (def: ResourceDef, name: string, field: string, problem: string) =>
  new ApiError(
    422,
    "Invalid",
    `${def.kind}${def.group ? `.${def.group}` : ""} "${name}" is invalid: ${field}: ${problem}`,
    {
      ...details(def, name),
      causes: [{ reason: "FieldValueInvalid", message: problem, field }],
    },
  );

export const badRequest = (message: string) => new ApiError(400, "BadRequest", message);

export const methodNotAllowed = () =>
  new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");

export type Attributes = {
  user: string;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
};

export function forbidden(a: Attributes, reason?: string): ApiError {
  const def = { group: a.group, resource: a.resource };
  const subject = a.name ? `${qualifiedResource(def)} "${a.name}"` : qualifiedResource(def);
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const message =
    `${subject} is forbidden: User "${a.user}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}` +
    (reason ? `: ${reason}` : "");
  return new ApiError(403, "Forbidden", message, details(def, a.name));
}
