/** The open data module's data layer: schema catalogue and the validation endpoint. */
import { useMutation, useQuery } from '@tanstack/react-query';
import type { WireOf } from '@patrimoine/contracts/common';
import type { schemaDetail, schemaList, validationLimits, validationResult } from '@patrimoine/contracts/opendata';
import { api, qs } from '../../api/client';

export type SchemaList = WireOf<typeof schemaList>;
export type SchemaDetail = WireOf<typeof schemaDetail>;
export type ValidationResult = WireOf<typeof validationResult>;
export type ValidationLimits = WireOf<typeof validationLimits>;

export const opendataUrls = {
  schemas: (f: { q?: string; source?: string; format?: 'csv' } = {}) => `/api/opendata/schemas${qs(f)}`,
  schema: (id: string) => `/api/opendata/schemas/${encodeURIComponent(id)}`,
  validate: '/api/opendata/validate',
  limits: '/api/opendata/validate/limits',
};

export const opendataKeys = {
  all: ['opendata'] as const,
  schemas: (f: { q?: string; source?: string }) => [...opendataKeys.all, 'schemas', f] as const,
  schema: (id: string) => [...opendataKeys.all, 'schema', id] as const,
  limits: () => [...opendataKeys.all, 'limits'] as const,
};

export function useSchemas(f: { q?: string; source?: string }) {
  return useQuery({ queryKey: opendataKeys.schemas(f), queryFn: ({ signal }) => api<SchemaList>(opendataUrls.schemas(f), { signal }) });
}

export function useSchema(id: string | null) {
  return useQuery({
    queryKey: opendataKeys.schema(id ?? ''),
    queryFn: ({ signal }) => api<SchemaDetail>(opendataUrls.schema(id!), { signal }),
    enabled: !!id,
  });
}

export function useValidationLimits() {
  return useQuery({ queryKey: opendataKeys.limits(), queryFn: ({ signal }) => api<ValidationLimits>(opendataUrls.limits, { signal }) });
}

export function useValidateFile() {
  return useMutation({
    mutationFn: ({ file, schema }: { file: File; schema: string }) => {
      const form = new FormData();
      if (schema) form.append('schema', schema);
      form.append('file', file);
      return api<ValidationResult>(opendataUrls.validate, { method: 'POST', body: form });
    },
  });
}
