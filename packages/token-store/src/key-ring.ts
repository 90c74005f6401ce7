import { ConfigError, DecryptionError, randomBase62 } from "@securecontext/protocol";
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from "jose";
import { encodeJson } from "./validation";

/** One encryption key: an id and 32 random bytes, base64url-encoded (43 characters). */
export interface KeyRingKey {
  kid: string;
  secret: string;
}

export interface KeyRingOptions {
  /** The first key encrypts; every key decrypts. At least one; `kid`s unique. */
  keys: readonly KeyRingKey[];
}

/** Binds a ciphertext to where it belongs, so it cannot be replayed elsewhere. */
export interface CryptoContextOptions {
  /**
   * A string bound into the authenticated header (the store uses the record key). Decrypting with a
   * different context fails with `DecryptionError`.
   */
  context?: string;
}

export interface DecryptResult<T> {
  value: T;
  /** The key that decrypted the value. */
  kid: string;
  /** True when `kid` is not the current key: re-encrypt it. */
  stale: boolean;
}

/** Encrypts JSON values as compact JWE (`dir` + `A256GCM`, `kid` in the protected header). */
export interface KeyRing {
  /** Id of the key that encrypts. */
  readonly currentKid: string;
  /** Every key id, current first. */
  readonly kids: readonly string[];
  encrypt(value: unknown, options?: CryptoContextOptions): Promise<string>;
  /**
   * Decrypts and authenticates; throws `DecryptionError` for tampered, truncated or foreign
   * ciphertext, an unknown `kid` or a context mismatch. Never returns unauthenticated data.
   */
  decrypt<T = unknown>(jwe: string, options?: CryptoContextOptions): Promise<DecryptResult<T>>;
  /** The `kid` of a JWE's header without decrypting, or undefined when it is not a JWE. */
  kidOf(jwe: string): string | undefined;
}

const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const CONTEXT_HEADER = "ctx";
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * A key ring for token encryption at rest. Add a new key at the front to rotate: old records stay
 * readable, new writes use the new key, and `rotateKeys` re-encrypts the rest.
 *
 * @throws ConfigError when no key is given, a `kid` repeats or is malformed, or a secret is not
 *   base64url of exactly 32 bytes.
 */
export function createKeyRing(options: KeyRingOptions): KeyRing {
  const list = options.keys;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError("the key ring needs at least one key", { field: "keys" });
  }
  const keys = new Map<string, Uint8Array<ArrayBuffer>>();
  list.forEach((key, index) => {
    if (typeof key?.kid !== "string" || !KID_PATTERN.test(key.kid)) {
      throw new ConfigError("kid must be 1–64 characters of A–Z a–z 0–9 . _ -", {
        field: `keys[${index}].kid`,
      });
    }
    if (keys.has(key.kid))
      throw new ConfigError(`kid "${key.kid}" appears twice`, { field: `keys[${index}].kid` });
    // The message never echoes the secret.
    if (typeof key.secret !== "string" || !SECRET_PATTERN.test(key.secret)) {
      throw new ConfigError(`key "${key.kid}" must be 32 bytes in base64url (43 characters)`, {
        field: `keys[${index}].secret`,
      });
    }
    const bytes = Buffer.from(key.secret, "base64url");
    if (bytes.length !== 32) {
      throw new ConfigError(`key "${key.kid}" must be 32 bytes`, { field: `keys[${index}].secret` });
    }
    keys.set(key.kid, new Uint8Array(bytes));
  });
  const kids = [...keys.keys()];
  const currentKid = kids[0]!;
  // Imported once: handing jose raw bytes would re-import the key on every call (~10x slower).
  const cryptoKeys = new Map<string, Promise<CryptoKey>>();
  const cryptoKey = (kid: string, bytes: Uint8Array<ArrayBuffer>) => {
    let key = cryptoKeys.get(kid);
    if (key === undefined) {
      key = crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]);
      cryptoKeys.set(kid, key);
    }
    return key;
  };

  const kidOf = (jwe: string): string | undefined => {
    try {
      const kid = decodeProtectedHeader(jwe).kid;
      return typeof kid === "string" ? kid : undefined;
    } catch {
      return undefined;
    }
  };

  return {
    currentKid,
    kids,
    kidOf,
    async encrypt(value, cryptoOptions = {}) {
      const json = encodeJson(value);
      const header = {
        alg: "dir",
        enc: "A256GCM",
        kid: currentKid,
        ...(cryptoOptions.context !== undefined ? { [CONTEXT_HEADER]: cryptoOptions.context } : {}),
      };
      return new CompactEncrypt(encoder.encode(json))
        .setProtectedHeader(header)
        .encrypt(await cryptoKey(currentKid, keys.get(currentKid)!));
    },
    async decrypt<T>(jwe: string, cryptoOptions: CryptoContextOptions = {}) {
      if (typeof jwe !== "string") throw new DecryptionError("ciphertext is not a compact JWE string");
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(jwe);
      } catch (error) {
        throw new DecryptionError("ciphertext is not a compact JWE", { cause: error });
      }
      if (header.alg !== "dir" || header.enc !== "A256GCM") {
        throw new DecryptionError("ciphertext uses an algorithm other than dir + A256GCM");
      }
      const kid = header.kid;
      const key = typeof kid === "string" ? keys.get(kid) : undefined;
      if (typeof kid !== "string" || key === undefined) {
        throw new DecryptionError(
          typeof kid === "string" ? `no key "${kid}" in the key ring` : "ciphertext has no kid",
        );
      }
      let plaintext: Uint8Array;
      let protectedHeader: Record<string, unknown>;
      try {
        ({ plaintext, protectedHeader } = await compactDecrypt(jwe, await cryptoKey(kid, key), {
          keyManagementAlgorithms: ["dir"],
          contentEncryptionAlgorithms: ["A256GCM"],
        }));
      } catch (error) {
        throw new DecryptionError(
          `ciphertext under key "${kid}" failed authentication (tampered or truncated)`,
          {
            cause: error,
          },
        );
      }
      // The context sits in the authenticated header, so it cannot be altered without failing above.
      if (protectedHeader[CONTEXT_HEADER] !== cryptoOptions.context) {
        throw new DecryptionError("ciphertext belongs to a different record");
      }
      let value: T;
      try {
        value = JSON.parse(decoder.decode(plaintext)) as T;
      } catch (error) {
        throw new DecryptionError("decrypted payload is not JSON", { cause: error });
      }
      return { value, kid, stale: kid !== currentKid };
    },
  };
}

/** A fresh key for {@link createKeyRing}: 32 CSPRNG bytes, base64url; `kid` defaults to `k_<random>`. */
export function generateKey(kid: string = `k_${randomBase62(12)}`): KeyRingKey {
  if (!KID_PATTERN.test(kid)) throw new ConfigError("kid must be 1–64 characters of A–Z a–z 0–9 . _ -");
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  return { kid, secret };
}
