import type { INodeProperties } from 'n8n-workflow';

/** Where a caller's token is read from; shared by the JWT, introspection and lookup credentials. */
export const readCallerTokenProperties: INodeProperties[] = [
	{
		displayName: 'Read Caller Token From',
		name: 'readFrom',
		type: 'options',
		default: 'bearer',
		options: [
			{ name: 'Authorization: Bearer Header', value: 'bearer' },
			{ name: 'Header', value: 'header' },
			{ name: 'Query Parameter', value: 'query' },
		],
	},
	{
		displayName: 'Header or Parameter Name',
		name: 'readFromName',
		type: 'string',
		default: 'user-token',
		displayOptions: { show: { readFrom: ['header', 'query'] } },
	},
];
