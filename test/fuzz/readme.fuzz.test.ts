import { ErrorCodes } from '../../nodes/callback/pipeline/errors';
import { DOCUMENTED_STATUS } from './fuzz';

describe('the error table the fuzz checks against', () => {
	test.each(Object.entries(ErrorCodes))('%s (%i) has a row in the README error table', (_name, code) => {
		expect(DOCUMENTED_STATUS[code]).toBeGreaterThanOrEqual(400);
	});
});
