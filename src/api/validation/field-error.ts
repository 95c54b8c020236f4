export interface FieldError {
  field: string;
  message: string;
  reason?: string;
}

export const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function invalid(field: string, value: unknown, why: string): FieldError {
  return { field, message: `Invalid value: ${JSON.stringify(value)}: ${why}`, reason: "FieldValueInvalid" };
}

export function required(field: string, what = "required value"): FieldError {
  return { field, message: `Required value: ${what}`, reason: "FieldValueRequired" };
}

export function dns1035(field: string, name: string | undefined): FieldError[] {
  if (!name) return [required(field, "name or generateName is required")];
  if (name.length > 63) return [invalid(field, name, "must be no more than 63 characters")];
  if (!DNS1035.test(name)) {
    return [invalid(field, name, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")];
  }
  return [];
}
