import type { ICredentialType } from 'n8n-workflow';

import { ExternalCallbackApiKeyApi } from '../../credentials/ExternalCallbackApiKeyApi.credentials';
import { ExternalCallbackBackendlessApi } from '../../credentials/ExternalCallbackBackendlessApi.credentials';
import { ExternalCallbackIntrospectionOAuth2Api } from '../../credentials/ExternalCallbackIntrospectionOAuth2Api.credentials';
import { ExternalCallbackJwtApi } from '../../credentials/ExternalCallbackJwtApi.credentials';
import { ExternalCallbackN8nApi } from '../../credentials/ExternalCallbackN8nApi.credentials';
import { ExternalCallbackSignatureApi } from '../../credentials/ExternalCallbackSignatureApi.credentials';
import { ExternalCallbackUserLookupApi } from '../../credentials/ExternalCallbackUserLookupApi.credentials';
import { ExternalCallbackTrigger } from '../../nodes/ExternalCallbackTrigger/ExternalCallbackTrigger.node';
import { ExternalCallbackWait } from '../../nodes/ExternalCallbackWait/ExternalCallbackWait.node';
import { GenerateCallbackUrl } from '../../nodes/GenerateCallbackUrl/GenerateCallbackUrl.node';
import { JWT_ALGORITHMS } from '../../nodes/callback/auth/jwt/algorithms';
import {
	AUTH_CREDENTIALS,
	EXECUTION_ID_PATTERN,
	N8N_API_CREDENTIAL,
	NODE_TYPES,
	isNodeType,
	parseList,
} from '../../nodes/callback/constants';

/** The descriptions spell their names out (lint and compliance read the source): tied here. */
describe('constants and the literal names in the descriptions', () => {
	test('node type names', () => {
		expect(new ExternalCallbackWait().getNodeType(1).description.name).toBe(NODE_TYPES.wait);
		expect(new GenerateCallbackUrl().description.name).toBe(NODE_TYPES.generate);
		expect(new ExternalCallbackTrigger().description.name).toBe(NODE_TYPES.trigger);
		expect(isNodeType(`n8n-nodes-external-callback.${NODE_TYPES.wait}`, NODE_TYPES.wait)).toBe(true);
		expect(isNodeType(`n8n-nodes-base.wait`, NODE_TYPES.wait)).toBe(false);
	});

	test('credential type names', () => {
		const classes: Record<string, ICredentialType> = {
			backendless: new ExternalCallbackBackendlessApi(),
			jwt: new ExternalCallbackJwtApi(),
			introspection: new ExternalCallbackIntrospectionOAuth2Api(),
			userLookup: new ExternalCallbackUserLookupApi(),
			apiKey: new ExternalCallbackApiKeyApi(),
			signature: new ExternalCallbackSignatureApi(),
		};
		for (const [method, name] of Object.entries(AUTH_CREDENTIALS)) expect(classes[method].name).toBe(name);
		expect(Object.keys(classes).sort()).toEqual(Object.keys(AUTH_CREDENTIALS).sort());
		expect(new ExternalCallbackN8nApi().name).toBe(N8N_API_CREDENTIAL);
	});

	test('the JWT credential offers exactly the algorithms the verifier implements, and defaults to one', () => {
		const property = new ExternalCallbackJwtApi().properties.find((p) => p.name === 'algorithms');
		const offered = (property?.options ?? []).map((o) => ('value' in o ? o.value : undefined));
		expect([...offered].sort()).toEqual([...JWT_ALGORITHMS].sort());
		expect(new Set(offered).size).toBe(offered.length);
		for (const alg of property?.default as string[]) expect(JWT_ALGORITHMS).toContain(alg);
	});

	test('parseList splits on commas and newlines and drops blanks', () => {
		expect(parseList(' a, b\n\nc ,')).toEqual(['a', 'b', 'c']);
		expect(parseList(undefined)).toEqual([]);
		expect(parseList(null)).toEqual([]);
	});

	test('execution ids', () => {
		expect(EXECUTION_ID_PATTERN.test('1234')).toBe(true);
		expect(EXECUTION_ID_PATTERN.test('a/b')).toBe(false);
		expect(EXECUTION_ID_PATTERN.test('x'.repeat(65))).toBe(false);
	});
});
