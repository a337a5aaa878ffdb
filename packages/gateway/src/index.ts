export { createGateway, type Gateway, type GatewayOptions } from "./app.js";
export { ConfigError, type GatewayConfig, loadConfig } from "./config/config.js";
export { ERROR_CATALOG, type ErrorCode, type ErrorEnvelope, GatewayError } from "./errors/catalog.js";
export { openStore } from "./store/open-store.js";
