/**
 * The JWS algorithms the verifier implements: the one list the JWT credential offers too.
 * `Ed25519` and `Ed448` are the fully specified names of RFC 9864; `EdDSA` (RFC 8037) is the
 * polymorphic name and accepts either curve.
 */
export const JWT_ALGORITHMS = [
	'HS256',
	'HS384',
	'HS512',
	'RS256',
	'RS384',
	'RS512',
	'PS256',
	'PS384',
	'PS512',
	'ES256',
	'ES384',
	'ES512',
	'EdDSA',
	'Ed25519',
	'Ed448',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export type Family = 'HS' | 'RS' | 'PS' | 'ES' | 'EdDSA';

export interface AlgSpec {
	family: Family;
	/** Digest for HMAC / RSA / ECDSA; null for EdDSA. */
	hash: 'sha256' | 'sha384' | 'sha512' | null;
	/** Node's name of the required curve (ES only). */
	curve?: string;
	/** Length of an IEEE P1363 ECDSA signature (ES only). */
	signatureLength?: number;
	/** Node's key types the algorithm accepts (EdDSA family only). */
	okpTypes?: Array<'ed25519' | 'ed448'>;
}

export const ALG_SPECS: Record<JwtAlgorithm, AlgSpec> = {
	HS256: { family: 'HS', hash: 'sha256' },
	HS384: { family: 'HS', hash: 'sha384' },
	HS512: { family: 'HS', hash: 'sha512' },
	RS256: { family: 'RS', hash: 'sha256' },
	RS384: { family: 'RS', hash: 'sha384' },
	RS512: { family: 'RS', hash: 'sha512' },
	PS256: { family: 'PS', hash: 'sha256' },
	PS384: { family: 'PS', hash: 'sha384' },
	PS512: { family: 'PS', hash: 'sha512' },
	ES256: { family: 'ES', hash: 'sha256', curve: 'prime256v1', signatureLength: 64 },
	ES384: { family: 'ES', hash: 'sha384', curve: 'secp384r1', signatureLength: 96 },
	// P-521: two 66-byte integers.
	ES512: { family: 'ES', hash: 'sha512', curve: 'secp521r1', signatureLength: 132 },
	EdDSA: { family: 'EdDSA', hash: null, okpTypes: ['ed25519', 'ed448'] },
	Ed25519: { family: 'EdDSA', hash: null, okpTypes: ['ed25519'] },
	Ed448: { family: 'EdDSA', hash: null, okpTypes: ['ed448'] },
};

export function isJwtAlgorithm(alg: string): alg is JwtAlgorithm {
	return (JWT_ALGORITHMS as readonly string[]).includes(alg);
}

/**
 * Does a JWK's own `alg` allow the token's alg? A JWK without `alg` allows any (its key type is
 * checked separately). `EdDSA` and the fully specified names (RFC 9864) name the same keys: an
 * Ed25519 JWK marked `EdDSA` verifies an `Ed25519` token and the other way round.
 */
export function jwkAlgAllows(jwkAlg: string | undefined, alg: JwtAlgorithm): boolean {
	if (jwkAlg === undefined || jwkAlg === alg) return true;
	const eddsa = ['EdDSA', 'Ed25519', 'Ed448'];
	return eddsa.includes(jwkAlg) && eddsa.includes(alg) && (jwkAlg === 'EdDSA' || alg === 'EdDSA');
}
