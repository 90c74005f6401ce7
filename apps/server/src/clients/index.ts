export { type ClientKeyCache, type ClientKeyCacheOptions, createClientKeyCache } from "./key-cache";
export { type ClientRecord, type ClientRegistry, createClientRegistry, hashSecret } from "./registry";
