// A tiny renderer for the Go templates Knative accepts in config-network (domain-template, tag-template).
// Only plain field references such as `{{.Name}}` or `{{ .Domain }}` are supported; anything else
// (pipelines, functions, `.Annotations.x`) is rejected with an error naming it, so a bad template is
// reported instead of producing a surprising host.

export type TemplateField = "Name" | "Namespace" | "Domain" | "Tag";
export type TemplateValues = Partial<Record<TemplateField, string>>;

export const DOMAIN_TEMPLATE_FIELDS: readonly TemplateField[] = ["Name", "Namespace", "Domain"];
export const TAG_TEMPLATE_FIELDS: readonly TemplateField[] = ["Name", "Tag"];

export class TemplateError extends Error {}

/** Renders `template`, allowing only the given fields; throws TemplateError otherwise. */
export function renderTemplate(template: string, values: TemplateValues, allowed: readonly TemplateField[]): string {
  let out = "";
  let rest = template;
  for (;;) {
    const open = rest.indexOf("{{");
    if (open < 0) {
      if (rest.includes("}}")) throw new TemplateError(`template ${JSON.stringify(template)}: unexpected "}}"`);
      return out + rest;
    }
    out += rest.slice(0, open);
    const close = rest.indexOf("}}", open + 2);
    if (close < 0) throw new TemplateError(`template ${JSON.stringify(template)}: unclosed action`);
    const action = rest.slice(open + 2, close).trim();
    const field = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(action)?.[1];
    if (!field) {
      throw new TemplateError(`template ${JSON.stringify(template)}: unsupported action {{${action}}} (use {{.${allowed.join("}}, {{.")}}})`);
    }
    if (!(allowed as readonly string[]).includes(field)) {
      throw new TemplateError(`template ${JSON.stringify(template)}: can't evaluate field ${field} (available: ${allowed.join(", ")})`);
    }
    out += values[field as TemplateField] ?? "";
    rest = rest.slice(close + 2);
  }
}
