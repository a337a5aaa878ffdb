/** The package version, sent in the `x-meshapi-sdk` header. Kept equal to package.json by a test. */
export const VERSION = "0.1.0";
