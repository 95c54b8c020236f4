// The cloudevents SDK's HTTP emitter (node's http/https client) is never used by Knit, which delivers
// events with fetch; the platform bundle maps "http" and "https" to this empty module.
export default {};
