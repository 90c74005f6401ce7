export { type ClientRecord, type ClientRegistry, createClientRegistry, hashSecret } from "./registry";
