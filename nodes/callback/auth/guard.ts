import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { type ApiKeyOptions, verifyApiKey } from './apiKey';
import { verifyJwt, type JwtAlgorithm, type JwtOptions } from './jwt/verify';
import { type UserLookupOptions, verifyBackendless, verifyIntrospection, verifyUserLookup } from './providers';
import { type SignatureOptions, verifySignature, type SignatureScheme, zoomValidationReply } from './signature';
import { extractToken, type TokenSource } from './token';
import type { AuthRequest, HttpFetch, Identity } from './types';
import { authorize } from '../pipeline/authorize';
import { AUTH_CREDENTIALS, parseList } from '../constants';

export type AuthMethod = 'none' | keyof typeof AUTH_CREDENTIALS;

export interface GuardSettings {
	authentication: AuthMethod;
	credential?: ICredentialDataDecryptedObject;
	requiredRoles: string[];
	rolesMatch: 'any' | 'all';
	onFail: 'error' | 'ignore';
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** Query parameters that carry this node's credential: never part of the output. */
export function credentialQueryParams(settings: GuardSettings): string[] {
	const c = settings.credential ?? {};
	if (settings.authentication === 'apiKey' && c.location === 'query') return [str(c.name) || 'api_key'];
	if (['jwt', 'introspection', 'userLookup'].includes(settings.authentication) && c.readFrom === 'query') {
		return [str(c.readFromName) || 'token'];
	}
	return [];
}

/** Headers that carry this node's credential under a name of the user's choosing: never part of the output. */
export function credentialHeaders(settings: GuardSettings): string[] {
	const c = settings.credential ?? {};
	if (settings.authentication === 'apiKey' && c.location !== 'query') return [str(c.name) || 'x-api-key'];
	if (['jwt', 'introspection', 'userLookup'].includes(settings.authentication) && c.readFrom === 'header' && str(c.readFromName)) {
		return [str(c.readFromName)];
	}
	if (settings.authentication === 'signature' && str(c.header)) return [str(c.header)];
	return [];
}

/** What an API key credential verifies calls with (also what its credential test checks). */
export function apiKeyOptions(c: ICredentialDataDecryptedObject): ApiKeyOptions {
	return {
		keys: parseList(c.apiKeys),
		location: c.location === 'query' ? 'query' : 'header',
		name: str(c.name) || (c.location === 'query' ? 'api_key' : 'x-api-key'),
	};
}

/** What a webhook signature credential verifies calls with (also what its credential test checks). */
export function signatureOptions(c: ICredentialDataDecryptedObject): SignatureOptions {
	return {
		scheme: (str(c.scheme) || 'hmac') as SignatureScheme,
		secret: str(c.secret),
		previousSecret: str(c.previousSecret) || undefined,
		toleranceSeconds: Number(c.toleranceSeconds ?? 300),
		header: str(c.header) || undefined,
		algorithm: (str(c.algorithm) || 'sha256') as 'sha1' | 'sha256' | 'sha512',
		encoding: str(c.encoding) === 'base64' ? 'base64' : 'hex',
		prefix: str(c.prefix) || undefined,
		template: str(c.template) || undefined,
		timestampHeader: str(c.timestampHeader) || undefined,
		publicBaseUrl: str(c.publicBaseUrl) || undefined,
	};
}

/**
 * A reply the sender expects instead of a resume or a start, for a call the guards accepted
 * (Zoom's endpoint URL validation); undefined for every other call.
 */
export function challengeReply(settings: GuardSettings, identity: Identity | undefined, body: unknown): Record<string, string> | undefined {
	if (settings.authentication !== 'signature' || !identity || !settings.credential) return undefined;
	const reply = zoomValidationReply(signatureOptions(settings.credential), identity.user.signedWith, body);
	return reply ? { ...reply } : undefined;
}

/** What a user lookup credential verifies calls with (also what its credential test checks). */
export function userLookupOptions(c: ICredentialDataDecryptedObject): UserLookupOptions {
	return {
		url: str(c.url),
		tokenSource: (str(c.readFrom) || 'bearer') as TokenSource,
		tokenName: str(c.readFromName),
		sendHeader: str(c.sendHeader) || 'authorization',
		sendPrefix: c.sendPrefix === undefined ? undefined : str(c.sendPrefix),
		rolesPath: str(c.rolesPath) || 'roles',
	};
}

/** The required claims of a JWT credential (fixedCollection `requiredClaims.claim`). */
function requiredClaimsOf(value: unknown): NonNullable<JwtOptions['requiredClaims']> {
	const rows = value !== null && typeof value === 'object' ? (value as { claim?: unknown }).claim : undefined;
	if (!Array.isArray(rows)) return [];
	return rows.flatMap((row: Record<string, unknown>) => {
		const name = str(row?.name).trim();
		if (!name) return [];
		return [row.match === 'present' ? { name } : { name, value: str(row.value) }];
	});
}

/** What a JWT credential verifies tokens with. */
export function jwtOptions(c: ICredentialDataDecryptedObject): JwtOptions {
	const keyType = str(c.keyType) || 'secret';
	return {
		algorithms: (Array.isArray(c.algorithms) ? c.algorithms : parseList(c.algorithms)) as JwtAlgorithm[],
		secret: keyType === 'secret' ? str(c.secret) : undefined,
		previousSecrets: keyType === 'secret' ? parseList(c.previousSecret) : undefined,
		publicKey: keyType === 'publicKey' ? str(c.pem) : undefined,
		jwksUrl: keyType === 'jwks' ? str(c.jwksUrl) : undefined,
		discoveryUrl: keyType === 'discovery' ? str(c.discoveryUrl).trim() : undefined,
		issuer: parseList(c.issuer),
		audience: parseList(c.audience),
		// n8n fills a field the stored credential lacks with its default: "required", true.
		anyAudience: c.audienceMode === 'any',
		requireExp: c.requireExp !== false,
		requiredClaims: requiredClaimsOf(c.requiredClaims),
		leewaySeconds: Number(c.leewaySeconds ?? 0),
		rolesClaim: str(c.rolesClaim) || 'roles',
	};
}

/** Stage "authenticate": who is calling, or undefined when the node needs no authentication. */
export async function authenticate(settings: GuardSettings, req: AuthRequest, fetch: HttpFetch): Promise<Identity | undefined> {
	const c = settings.credential ?? {};
	const tokenSource = (str(c.readFrom) || 'bearer') as TokenSource;
	switch (settings.authentication) {
		case 'none':
			return undefined;
		case 'backendless':
			return await verifyBackendless(req, { baseUrl: str(c.baseUrl), userLookupUrl: str(c.userLookupUrl) || undefined }, fetch);
		case 'jwt': {
			return await verifyJwt(extractToken(req, tokenSource, str(c.readFromName)), jwtOptions(c), { fetch });
		}
		case 'introspection':
			return await verifyIntrospection(
				req,
				{
					endpoint: str(c.endpoint),
					clientAuth: str(c.clientAuth) === 'bearer' ? 'bearer' : 'basic',
					clientId: str(c.clientId),
					clientSecret: str(c.clientSecret),
					bearerToken: str(c.bearerToken),
					tokenSource,
					tokenName: str(c.readFromName),
					rolesPath: str(c.rolesPath) || 'scope',
				},
				fetch,
			);
		case 'userLookup':
			return await verifyUserLookup(req, userLookupOptions(c), fetch);
		case 'apiKey':
			return verifyApiKey(req, apiKeyOptions(c));
		case 'signature':
			return verifySignature(req, signatureOptions(c));
		default:
			throw new Error(`Unknown authentication "${String(settings.authentication)}"`);
	}
}

/** Stages "authenticate" and "authorize" together; throws the CallbackError to answer. */
export async function guard(settings: GuardSettings, req: AuthRequest, fetch: HttpFetch): Promise<Identity | undefined> {
	const identity = await authenticate(settings, req, fetch);
	if (settings.requiredRoles.length) authorize(identity?.roles ?? [], settings.requiredRoles, settings.rolesMatch);
	return identity;
}
