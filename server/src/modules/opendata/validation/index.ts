export { validateFile, ValidationAborted, type CellObserver, type SourceFormat, type ValidateOptions } from './validate.ts';
export type { TableSchemaDescriptor, TableField, ValidationError, ValidationReport } from './types.ts';
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip.ts';
