import type { ICredentialDataDecryptedObject, ICredentialTestFunction, ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

import { testApiKeyCredential, testSignatureCredential, testUserLookupCredential } from '../auth/credentialTests';

/** The pure credential tests (auth/credentialTests.ts) as n8n calls them. */
const credentialTestOf = (check: (data: ICredentialDataDecryptedObject) => INodeCredentialTestResult): ICredentialTestFunction =>
	async function (this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		return check(credential.data ?? {});
	};

/** `methods.credentialTest` of the nodes; each node's credentials name these in `testedBy`. */
export const credentialTest = {
	externalCallbackApiKeyApiTest: credentialTestOf(testApiKeyCredential),
	externalCallbackSignatureApiTest: credentialTestOf((data) => testSignatureCredential(data)),
	externalCallbackUserLookupApiTest: credentialTestOf(testUserLookupCredential),
} satisfies Record<string, ICredentialTestFunction>;
