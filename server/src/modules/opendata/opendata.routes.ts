import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as c from '@patrimoine/contracts/opendata';
import { routeGroup } from '../../platform/auth/access.ts';
import { isUser } from '../../platform/auth/principal.ts';
import { problems, requestMeta, sendCsv } from '../../platform/http/common.ts';
import { fieldError } from '../../platform/errors.ts';
import type { OpendataService } from './opendata.service.ts';
import { DEFAULT_UPLOAD_LIMITS, receiveMultipart } from '../../platform/http/upload.ts';

const tags = ['opendata'];

/**
 * Open data API: the schema catalogue (public read, data_admin upload) and the stateless validation
 * endpoint (anonymous allowed, with a smaller size limit). The uploaded file goes to a private temp
 * file, removed before the answer whatever happens.
 */
export function opendataRoutes(svc: OpendataService): FastifyPluginAsync {
  return async (app) => {
    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/opendata/schemas',
          {
            schema: {
              tags,
              operationId: 'listOpendataSchemas',
              summary: 'Schema catalogue: schema.data.gouv.fr TableSchemas and the ministry’s own (latest version of each)',
              description: '`?format=csv` downloads the list as CSV.',
              querystring: c.schemaListQuery,
              response: { 200: c.schemaList, ...problems },
            },
          },
          async (req, reply) => {
            const items = await svc.list(req.query);
            if (req.query.format === 'csv') {
              return sendCsv(
                reply,
                'schemas.csv',
                [
                  { key: 'name', header: 'nom' },
                  { key: 'title', header: 'titre' },
                  { key: 'version', header: 'version' },
                  { key: 'source', header: 'source' },
                  { key: 'fields', header: 'champs' },
                  { key: 'homepage', header: 'page' },
                ],
                items.map((i) => ({ ...i, source: c.schemaSourceLabels[i.source] })),
              );
            }
            return { items, total: items.length };
          },
        );
        p.get(
          '/api/opendata/schemas/:id',
          {
            schema: {
              tags,
              operationId: 'getOpendataSchema',
              summary: 'One schema version with its descriptor',
              params: c.schemaParams,
              response: { 200: c.schemaDetail, ...problems },
            },
          },
          async (req) => svc.get(req.params.id),
        );
        p.get(
          '/api/opendata/validate/limits',
          {
            schema: {
              tags,
              operationId: 'getOpendataValidationLimits',
              summary: 'Size limits of the validation endpoint (anonymous and signed-in)',
              response: { 200: c.validationLimits, ...problems },
            },
          },
          async () => {
            const l = svc.limits();
            return { anonymousBytes: l.anonymousBytes, userBytes: l.userBytes, maxErrors: l.maxErrors };
          },
        );
        p.post(
          '/api/opendata/validate',
          {
            schema: {
              tags,
              operationId: 'validateOpendataFile',
              summary: 'Validate a CSV, XLSX or ODS file against a Table Schema (stateless, nothing kept)',
              description:
                'Multipart form: `file` (CSV, XLSX or ODS) and `schema` — a TableSchema JSON descriptor, the id of a catalogue schema, its name, or a URL. ' +
                'Without `schema`, only the structure is checked. Anonymous visitors are limited to `PATRIMOINE_OPENDATA_ANON_LIMIT` bytes, ' +
                'signed-in users to `PATRIMOINE_OPENDATA_USER_LIMIT`. The report lists at most 1,000 errors; `errorCounts` counts every error.',
              consumes: ['multipart/form-data'],
              response: { 200: c.validationResult, ...problems },
            },
          },
          async (req, reply) => {
            if (!req.isMultipart()) throw fieldError('file', 'envoyez un formulaire multipart avec le fichier (champ file)');
            const l = svc.limits();
            const fileBytes = isUser(req.caller) ? l.userBytes : l.anonymousBytes;
            const slot = svc.acquireSlot();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-opendata-'));
            const file = path.join(dir, randomUUID());
            const fields: Record<string, string> = {};
            let filename: string | null = null;
            try {
              fs.chmodSync(dir, 0o700);
              await receiveMultipart(req, reply, {
                limits: { ...DEFAULT_UPLOAD_LIMITS, fields: 5, fieldBytes: 2 * 1024 * 1024, fileBytes },
                fileField: 'file',
                onField: (name, value) => {
                  fields[name] = value;
                },
                onFile: async (part, signal) => {
                  if (part.fieldname !== 'file') throw fieldError(part.fieldname, 'le fichier est attendu dans le champ « file »');
                  filename = part.filename || 'fichier.csv';
                  await pipeline(part.file, fs.createWriteStream(file, { mode: 0o600 }), { signal });
                },
              });
              if (!filename) throw fieldError('file', 'fichier manquant (champ file)');
              return await svc.validate(req.caller, { path: file, filename, schema: fields.schema ?? null });
            } finally {
              fs.rmSync(dir, { recursive: true, force: true });
              slot.release();
            }
          },
        );
      }),
    );

    await app.register(
      routeGroup({ roles: ['admin', 'data_admin'] }, async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.post(
          '/api/opendata/schemas',
          {
            schema: {
              tags,
              operationId: 'publishOpendataSchema',
              summary: 'Publish a ministry schema or a new version of it (checked against the Table Schema profile)',
              description: 'A data_admin publishes for their own organisation; versions are immutable and must increase.',
              body: c.schemaUploadBody,
              response: { 201: c.schemaDetail, ...problems },
            },
          },
          async (req, reply) => reply.status(201).send(await svc.upload(req.caller, req.body, requestMeta(req))),
        );
      }),
    );
  };
}
