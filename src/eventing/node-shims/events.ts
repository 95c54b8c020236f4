// The cloudevents SDK is CommonJS and calls require("events"); esbuild cannot turn a require of a runtime
// module into an import, so the platform bundle maps "events" here (workerd serves node:events under
// nodejs_compat).
import events, { EventEmitter } from "node:events";
export { EventEmitter };
export default events;
