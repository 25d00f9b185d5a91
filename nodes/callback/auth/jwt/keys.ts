/** Configured keys and signature checks: each algorithm family only with its own kind of key. */
import * as crypto from 'node:crypto';

import { internalError } from '../../pipeline/errors';
import type { AlgSpec } from './algorithms';

const MIN_RSA_BITS = 2048;


/** Does this public key have the type (and curve / size) the algorithm requires? */
export function keyMatchesAlg(key: crypto.KeyObject, spec: AlgSpec): boolean {
	if (key.type !== 'public') return false;
	const type = key.asymmetricKeyType;
	const details = key.asymmetricKeyDetails ?? {};
	switch (spec.family) {
		case 'RS':
			return type === 'rsa' && (details.modulusLength ?? 0) >= MIN_RSA_BITS;
		case 'PS':
			return (type === 'rsa' || type === 'rsa-pss') && (details.modulusLength ?? 0) >= MIN_RSA_BITS;
		case 'ES':
			return type === 'ec' && details.namedCurve === spec.curve;
		case 'EdDSA':
			return (spec.okpTypes ?? []).some((t) => t === type);
		default:
			return false;
	}
}

/** A secret that is really a PEM public key or certificate is refused for HMAC (key confusion). */
export function looksLikePem(secret: string): boolean {
	return /-----BEGIN [A-Z0-9 ]+-----/.test(secret);
}

export function parsePublicKeyPem(pem: string): crypto.KeyObject {
	try {
		return crypto.createPublicKey(pem);
	} catch {
		// A configuration problem, not the caller's: answer 500 without echoing the key.
		throw internalError();
	}
}

export function verifyHmac(spec: AlgSpec, secret: string, input: Buffer, signature: Buffer): boolean {
	const expected = crypto.createHmac(spec.hash as string, secret).update(input).digest();
	if (signature.length !== expected.length) return false;
	return crypto.timingSafeEqual(signature, expected);
}

/**
 * Rotation: the signature may come from any of the secrets (current first, then previous ones).
 * Every secret is tried, whatever the outcome, each in constant time.
 */
export function verifyHmacAny(spec: AlgSpec, secrets: string[], input: Buffer, signature: Buffer): boolean {
	let valid = false;
	for (const secret of secrets) valid = verifyHmac(spec, secret, input, signature) || valid;
	return valid;
}

export function verifyAsymmetric(spec: AlgSpec, key: crypto.KeyObject, input: Buffer, signature: Buffer): boolean {
	try {
		switch (spec.family) {
			case 'RS':
				return crypto.verify(spec.hash, input, { key, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
			case 'PS':
				return crypto.verify(
					spec.hash,
					input,
					{
						key,
						padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
						saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
					},
					signature,
				);
			case 'ES':
				if (signature.length !== spec.signatureLength) return false;
				return crypto.verify(spec.hash, input, { key, dsaEncoding: 'ieee-p1363' }, signature);
			case 'EdDSA':
				return crypto.verify(null, input, key, signature);
			default:
				return false;
		}
	} catch {
		return false; // malformed signature bytes: simply not valid
	}
}
