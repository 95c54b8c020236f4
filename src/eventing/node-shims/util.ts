// See events.ts: require("util") in the cloudevents SDK, served by workerd's node:util.
import util from "node:util";
export * from "node:util";
export default util;
