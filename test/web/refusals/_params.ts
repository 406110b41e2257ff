/** Values for path parameters other than :id (an existing organization's id) in the route table test. */
export const PATH_PARAMS: Record<string, string> = {};
