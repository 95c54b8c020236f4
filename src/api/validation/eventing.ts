// Knative Eventing's webhook rules for Brokers, Triggers, channels, Subscriptions and flows, as field errors.

import type { ApiServerSource, Broker, Channel, ContainerSource, Destination, KObject, Parallel, PingSource, Sequence, SinkBinding, Subscription, Trigger } from "../types.ts";
import type { FieldError } from "./field-error.ts";
import { DNS1123_SUBDOMAIN, invalid, required } from "./field-error.ts";
import { validateFilters } from "../../eventing/filters.ts";
import { validateDelivery } from "../../eventing/delivery.ts";
import { parseSchedule, ScheduleError } from "../../eventing/sources/schedule.ts";

function problems(list: { field: string; message: string }[]): FieldError[] {
  return list.map((p) => ({ field: p.field, message: p.message, reason: "FieldValueInvalid" }));
}

export function validateDestination(dest: Destination | undefined, path: string): FieldError[] {
  if (!dest || (!dest.ref && !dest.uri)) return [required(path, "expected at least one, got neither: ref, uri")];
  const errors: FieldError[] = [];
  if (dest.ref) {
    if (!dest.ref.name) errors.push(required(`${path}.ref.name`));
    if (!dest.ref.kind) errors.push(required(`${path}.ref.kind`));
    if (!dest.ref.apiVersion) errors.push(required(`${path}.ref.apiVersion`));
  } else {
    try {
      const url = new URL(dest.uri!);
      if (url.protocol !== "http:" && url.protocol !== "https:") errors.push(invalid(`${path}.uri`, dest.uri, "must be an http or https URL"));
    } catch {
      errors.push(invalid(`${path}.uri`, dest.uri, "must be an absolute URL"));
    }
  }
  return errors;
}

export function validateBroker(obj: KObject): FieldError[] {
  const broker = obj as Broker;
  const errors = problems(validateDelivery(broker.spec?.delivery, "spec.delivery"));
  const dls = broker.spec?.delivery?.deadLetterSink;
  if (dls) errors.push(...validateDestination(dls, "spec.delivery.deadLetterSink"));
  return errors;
}

export function validateTrigger(obj: KObject, old: KObject | undefined): FieldError[] {
  const trigger = obj as Trigger;
  const spec = trigger.spec;
  const errors: FieldError[] = [];
  if (!spec?.broker) errors.push(required("spec.broker"));
  else if (!DNS1123_SUBDOMAIN.test(spec.broker)) errors.push(invalid("spec.broker", spec.broker, "must be a Broker name"));
  const oldBroker = (old as Trigger | undefined)?.spec?.broker;
  if (old && oldBroker !== spec?.broker) {
    errors.push({ field: "spec.broker", message: `Immutable fields changed (-old +new): broker: -"${oldBroker}" +"${spec?.broker}"`, reason: "FieldValueForbidden" });
  }
  for (const [name, value] of Object.entries(spec?.filter?.attributes ?? {})) {
    if (!/^[a-z0-9]+$/.test(name)) errors.push(invalid(`spec.filter.attributes.${name}`, name, "attribute names are lower case letters and digits"));
    if (typeof value !== "string") errors.push(invalid(`spec.filter.attributes.${name}`, value, "must be a string"));
  }
  errors.push(...problems(validateFilters(spec?.filters, "spec.filters")));
  errors.push(...validateDestination(spec?.subscriber, "spec.subscriber"));
  errors.push(...problems(validateDelivery(spec?.delivery, "spec.delivery")));
  if (spec?.delivery?.deadLetterSink) errors.push(...validateDestination(spec.delivery.deadLetterSink, "spec.delivery.deadLetterSink"));
  return errors;
}

export function validateChannel(obj: KObject): FieldError[] {
  const spec = (obj as Channel).spec;
  const errors = problems(validateDelivery(spec?.delivery, "spec.delivery"));
  if (spec?.delivery?.deadLetterSink) errors.push(...validateDestination(spec.delivery.deadLetterSink, "spec.delivery.deadLetterSink"));
  return errors;
}

export function validateSubscription(obj: KObject, old: KObject | undefined): FieldError[] {
  const spec = (obj as Subscription).spec;
  const errors: FieldError[] = [];
  const ch = spec?.channel;
  if (!ch) errors.push(required("spec.channel"));
  else {
    if (!ch.name) errors.push(required("spec.channel.name"));
    if (!ch.kind) errors.push(required("spec.channel.kind"));
    if (!ch.apiVersion) errors.push(required("spec.channel.apiVersion"));
  }
  const oldChannel = (old as Subscription | undefined)?.spec?.channel;
  if (old && JSON.stringify(oldChannel) !== JSON.stringify(ch)) errors.push({ field: "spec.channel", message: "Immutable fields changed: spec.channel", reason: "FieldValueForbidden" });
  if (!spec?.subscriber && !spec?.reply) errors.push(required("spec.subscriber", "expected at least one, got neither: spec.subscriber, spec.reply"));
  if (spec?.subscriber) errors.push(...validateDestination(spec.subscriber, "spec.subscriber"));
  if (spec?.reply) errors.push(...validateDestination(spec.reply, "spec.reply"));
  errors.push(...problems(validateDelivery(spec?.delivery, "spec.delivery")));
  if (spec?.delivery?.deadLetterSink) errors.push(...validateDestination(spec.delivery.deadLetterSink, "spec.delivery.deadLetterSink"));
  return errors;
}

export function validateSequence(obj: KObject): FieldError[] {
  const spec = (obj as Sequence).spec;
  if (!spec?.steps?.length) return [required("spec.steps", "a Sequence needs at least one step")];
  const errors = spec.steps.flatMap((step, i) => [
    ...validateDestination(step, `spec.steps[${i}]`),
    ...problems(validateDelivery(step.delivery, `spec.steps[${i}].delivery`)),
  ]);
  if (spec.reply) errors.push(...validateDestination(spec.reply, "spec.reply"));
  return errors;
}

export function validateParallel(obj: KObject): FieldError[] {
  const spec = (obj as Parallel).spec;
  if (!spec?.branches?.length) return [required("spec.branches", "a Parallel needs at least one branch")];
  const errors = spec.branches.flatMap((b, i) => [
    ...validateDestination(b.subscriber, `spec.branches[${i}].subscriber`),
    ...(b.filter ? validateDestination(b.filter, `spec.branches[${i}].filter`) : []),
    ...(b.reply ? validateDestination(b.reply, `spec.branches[${i}].reply`) : []),
    ...problems(validateDelivery(b.delivery, `spec.branches[${i}].delivery`)),
  ]);
  if (spec.reply) errors.push(...validateDestination(spec.reply, "spec.reply"));
  return errors;
}

export function validatePingSource(obj: KObject): FieldError[] {
  const spec = (obj as PingSource).spec;
  const errors: FieldError[] = [];
  if (!spec?.schedule) errors.push(required("spec.schedule"));
  else {
    try {
      parseSchedule(spec.schedule, spec.timezone);
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      const field = spec.timezone && /time zone/.test(err.message) ? "spec.timezone" : "spec.schedule";
      errors.push(invalid(field, field === "spec.timezone" ? spec.timezone : spec.schedule, err.message));
    }
  }
  if (spec?.data !== undefined && spec?.dataBase64 !== undefined) {
    errors.push({ field: "spec.data, spec.dataBase64", message: "expected exactly one, got both: data, dataBase64", reason: "FieldValueInvalid" });
  }
  if (spec?.dataBase64 !== undefined) {
    try {
      atob(spec.dataBase64);
    } catch {
      errors.push(invalid("spec.dataBase64", spec.dataBase64, "must be base64"));
    }
  }
  errors.push(...validateDestination(spec?.sink, "spec.sink"));
  return errors;
}

export function validateSinkBinding(obj: KObject): FieldError[] {
  const spec = (obj as SinkBinding).spec;
  const errors: FieldError[] = [];
  const subject = spec?.subject;
  if (!subject) errors.push(required("spec.subject"));
  else {
    if (!subject.apiVersion) errors.push(required("spec.subject.apiVersion"));
    if (!subject.kind) errors.push(required("spec.subject.kind"));
    if (!!subject.name === !!subject.selector) errors.push({ field: "spec.subject.name, spec.subject.selector", message: "expected exactly one, got " + (subject.name ? "both" : "neither"), reason: "FieldValueInvalid" });
  }
  errors.push(...validateDestination(spec?.sink, "spec.sink"));
  return errors;
}

export function validateContainerSource(obj: KObject): FieldError[] {
  const spec = (obj as ContainerSource).spec;
  const errors: FieldError[] = [];
  const containers = spec?.template?.spec?.containers;
  if (!containers?.length) errors.push(required("spec.template.spec.containers"));
  else if (!containers[0].image) errors.push(required("spec.template.spec.containers[0].image"));
  errors.push(...validateDestination(spec?.sink, "spec.sink"));
  return errors;
}

export function validateApiServerSource(obj: KObject): FieldError[] {
  const spec = (obj as ApiServerSource).spec;
  const errors: FieldError[] = [];
  if (!spec?.resources?.length) errors.push(required("spec.resources"));
  (spec?.resources ?? []).forEach((r, i) => {
    if (!r.apiVersion) errors.push(required(`spec.resources[${i}].apiVersion`));
    if (!r.kind) errors.push(required(`spec.resources[${i}].kind`));
  });
  if (spec?.mode !== undefined && spec.mode !== "Reference" && spec.mode !== "Resource") errors.push(invalid("spec.mode", spec.mode, "must be Reference or Resource"));
  errors.push(...validateDestination(spec?.sink, "spec.sink"));
  return errors;
}
