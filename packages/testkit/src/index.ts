/**
 * @meshapi/testkit — provider simulators (OpenAI, Anthropic, Gemini wire formats) with fault
 * injection, and the full test stack (simulator + built gateway). See README.md.
 */
export { DIRECTIVE_KEYS, type Directives, parseDirectives, withStanding } from "./directives.js";
/** The simulators' deterministic embedding of a text, for asserting what a gateway passed through. */
export { embedText as embedTextForTests } from "./embeddings/vectors.js";
export { CAPITAL_ANSWER, CAPITAL_QUESTION } from "./scenario.js";
export { startSimulator } from "./server.js";
export {
  gatewayCliPath,
  isGatewayBuilt,
  STACK_PROVIDER_KEYS,
  type Stack,
  type StackOptions,
  startStack,
} from "./stack.js";
export type { RecordedRequest, Simulator, SimulatorApiKeys, SimulatorOptions } from "./types.js";
