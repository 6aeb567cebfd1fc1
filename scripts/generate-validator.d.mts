/** Types of generate-validator.mjs, for the test that keeps the generated module up to date. */
export declare const AJV_OPTIONS: {
  readonly allErrors: true;
  readonly verbose: true;
  readonly strict: true;
  readonly allowUnionTypes: true;
};
export declare const SCHEMA_FILE: string;
export declare const VALIDATOR_FILE: string;
export declare function validatorSource(): string;
