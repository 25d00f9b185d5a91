/** The JWS algorithms the verifier implements: the one list the JWT credential offers too. */
export const JWT_ALGORITHMS = [
	'HS256',
	'HS384',
	'HS512',
	'RS256',
	'RS384',
	'RS512',
	'PS256',
	'ES256',
	'ES384',
	'EdDSA',
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
}

export const ALG_SPECS: Record<JwtAlgorithm, AlgSpec> = {
	HS256: { family: 'HS', hash: 'sha256' },
	HS384: { family: 'HS', hash: 'sha384' },
	HS512: { family: 'HS', hash: 'sha512' },
	RS256: { family: 'RS', hash: 'sha256' },
	RS384: { family: 'RS', hash: 'sha384' },
	RS512: { family: 'RS', hash: 'sha512' },
	PS256: { family: 'PS', hash: 'sha256' },
	ES256: { family: 'ES', hash: 'sha256', curve: 'prime256v1', signatureLength: 64 },
	ES384: { family: 'ES', hash: 'sha384', curve: 'secp384r1', signatureLength: 96 },
	EdDSA: { family: 'EdDSA', hash: null },
};

export function isJwtAlgorithm(alg: string): alg is JwtAlgorithm {
	return (JWT_ALGORITHMS as readonly string[]).includes(alg);
}
