import type { INodeProperties } from 'n8n-workflow';

import { FAIL_PATH_SUFFIX, FAIL_PATH_V2, FIRST_STATIC_VERSION, NODE_QUERY_PARAM, PARAMS } from '../constants';

/**
 * Texts the editor computes from a node's parameters: subtitles and the waiting tooltip. They are
 * n8n expressions, evaluated by the editor in n8n's expression sandbox (no imports, no `URL`);
 * a unit test runs them through n8n-workflow's own expression engine.
 */

/**
 * An expression for the label of the option chosen in `property` (e.g. "Immediately, 200 With
 * Empty Body" for `default`), made from the property's own options so that it follows them; an
 * unknown value (an expression, a newer option) shows as it is.
 */
export function optionLabelExpression(property: INodeProperties): string {
	const labels: Record<string, string> = {};
	for (const option of property.options ?? []) {
		if ('value' in option && (typeof option.value === 'string' || typeof option.value === 'number')) {
			labels[String(option.value)] = option.name;
		}
	}
	const value = `$parameter[${JSON.stringify(property.name)}]`;
	return `(${JSON.stringify(labels)}[${value}] || ${value})`;
}

/** `"<prefix>: <label>"` as a subtitle expression. */
export function labelSubtitle(prefix: string, property: INodeProperties | undefined): string {
	if (!property) throw new Error(`labelSubtitle: no property for "${prefix}"`);
	return `={{ ${JSON.stringify(`${prefix}: `)} + ${optionLabelExpression(property)} }}`;
}

/**
 * The wait node's waiting tooltip (shown by the editor for a waiting execution, like n8n's Wait
 * node shows its resume URL). Arguments: the node's parameters, n8n's resume URL of the
 * execution (the signed one the node stored in its run's metadata; without that metadata, or on
 * n8n 1.x, the editor passes `<webhook-waiting base>/<execution id>` without a token), the
 * execution id, the node's id and webhook id, and whether the node has version 2's layout. With
 * n8n's token the callback URL is what Generate Callback URL outputs without a base URL override:
 * version 1, that URL with the node id as path suffix; version 2, that URL with `node=<id>` (the
 * fail URL at `/fail`). Without a token the URL carries a secret only Generate Callback URL's
 * output has, so the tooltip points there. No `}}` may appear in it (it ends the expression), nor
 * template literals.
 */
const WAITING_TOOLTIP_FUNCTION = `(parameters, resumeUrl, executionId, nodeId, webhookId, v2) => {
	const esc = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
	const link = (url) => '<a href="' + esc(url) + '" target="_blank">' + esc(url) + '</a>';
	const url = String(resumeUrl || '');
	const at = url.indexOf('?');
	const path = at === -1 ? url : url.slice(0, at);
	const query = at === -1 ? '' : url.slice(at);
	const bound = query + '&' + ${JSON.stringify(NODE_QUERY_PARAM)} + '=' + encodeURIComponent(nodeId);
	const resume = v2 ? path + bound : path + '/' + nodeId + query;
	const fail = v2 ? path + '/' + ${JSON.stringify(FAIL_PATH_V2)} + bound : path + '/' + nodeId + ${JSON.stringify(FAIL_PATH_SUFFIX)} + query;
	let text = /[?&]signature=/.test(query)
		? 'Waiting for a call to the callback URL of this execution: ' + link(resume) +
			'<br>Fail URL (resumes with failed: true): ' + link(fail)
		: 'Waiting for a call to the callback URL of this execution: the callbackUrl that a Generate Callback URL node output for it';
	if (parameters[${JSON.stringify(PARAMS.stableUrl)}] && webhookId) {
		const base = path.replace(/\\/[^/]+\\/[^/]+\\/?$/, '');
		text += '<br>Stable URL (while the workflow is published): ' + link(base + '/webhook/' + webhookId + '/callback?execution=' + executionId);
	}
	return text;
}`;

/**
 * The waiting tooltip, for both versions: the node's own `$nodeVersion` picks the layout (the
 * editor may show a node with the description of the type's newest version).
 */
export const WAITING_TOOLTIP = `={{ (${WAITING_TOOLTIP_FUNCTION})($parameter, $execution.resumeUrl, $execution.id, $nodeId, $webhookId, Number($nodeVersion) >= ${FIRST_STATIC_VERSION}) }}`;
