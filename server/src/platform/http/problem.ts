import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { redactQueryError } from '../../db/client.ts';
import { fieldLabel } from '@patrimoine/contracts/field-labels';
import { DomainError, TooManyRequestsError, ValidationError, type FieldError } from '../errors.ts';

export const PROBLEM_BASE = 'https://patrimoine.interieur.gouv.fr/problems/';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [k: string]: unknown;
}

/** Field errors with the name the forms give each field (`errors[].label`), whatever the status. */
const labelled = (errors: FieldError[]): FieldError[] => errors.map((e) => ({ ...e, label: e.label ?? fieldLabel(e.field) }));

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type('application/problem+json; charset=utf-8').send(problem);
}

function zodPathToField(prefix: string, instancePath: string): string {
  const p = instancePath.replace(/^\//, '').replace(/\//g, '.');
  return p ? `${prefix}.${p}` : prefix;
}

/** Errors of busboy (behind @fastify/multipart), which have neither code nor status. */
const MULTIPART_ERRORS = [
  { test: /^Multipart: Boundary not found/, message: 'délimiteur (boundary) absent de l’en-tête Content-Type' },
  { test: /^Unsupported Content-Type/, message: 'type de contenu multipart non pris en charge' },
  { test: /unexpected end of multipart data/i, message: 'corps incomplet (délimiteur final absent)' },
];

/** One error handler for the whole platform: domain errors, validation, Fastify's own errors. */
export function registerErrorHandling(app: FastifyInstance, opts: { spaIndexHtml?: Buffer; apiPrefixes?: string[] } = {}): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // A failing query is logged with its SQL text at most, never its bound values (issue 10).
    redactQueryError(err);
    const instance = request.url.split('?')[0];
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const errors = err.validation.map((v) => ({
        field: zodPathToField(where, v.instancePath),
        label: fieldLabel(zodPathToField(where, v.instancePath)),
        message: v.message ?? 'valeur invalide',
      }));
      return sendProblem(reply, {
        type: PROBLEM_BASE + 'validation',
        title: 'Requête invalide',
        status: 400,
        detail: errors.map((e) => `${e.label} : ${e.message}`).join(' ; '),
        instance,
        errors,
      });
    }
    if (err instanceof ValidationError) {
      return sendProblem(reply, {
        type: PROBLEM_BASE + err.type,
        title: err.title,
        status: err.status,
        detail: err.message,
        instance,
        errors: labelled(err.errors),
        ...err.extra,
      });
    }
    if (err instanceof TooManyRequestsError) {
      reply.header('retry-after', String(err.retryAfterSeconds));
    }
    if (err instanceof DomainError) {
      return sendProblem(reply, {
        type: PROBLEM_BASE + err.type,
        title: err.title,
        status: err.status,
        detail: err.message,
        instance,
        ...err.extra,
        // Field errors of any status (a 409 on a taken identifier, a stale version) are named as the forms name them.
        ...(Array.isArray(err.extra.errors) ? { errors: labelled(err.extra.errors as FieldError[]) } : {}),
      });
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err }, 'response does not match its schema');
      return sendProblem(reply, { type: PROBLEM_BASE + 'internal', title: 'Erreur interne', status: 500, instance });
    }
    // The multipart parser's own errors carry no status (a body without boundary, cut short, of a
    // type it cannot read): the client's fault, a 400 on every upload route (issue 10).
    const multipart = MULTIPART_ERRORS.find((m) => m.test.test(err.message ?? ''));
    if (multipart && !err.statusCode) {
      return sendProblem(reply, {
        type: PROBLEM_BASE + 'validation',
        title: 'Requête invalide',
        status: 400,
        detail: `Formulaire multipart illisible : ${multipart.message}.`,
        instance,
        errors: labelled([{ field: 'body', message: multipart.message }]),
      });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'unhandled error');
      return sendProblem(reply, {
        type: PROBLEM_BASE + 'internal',
        title: 'Erreur interne',
        status,
        detail: 'Une erreur inattendue est survenue. Elle a été journalisée.',
        instance,
        requestId: request.id,
      });
    }
    // Fastify's own client errors: oversized body, bad JSON, unsupported media type…
    const known: Record<string, { title: string; detail: string }> = {
      FST_ERR_CTP_BODY_TOO_LARGE: {
        title: 'Corps de requête trop volumineux',
        detail: `Le corps de la requête dépasse la taille maximale autorisée.`,
      },
      FST_ERR_CTP_INVALID_MEDIA_TYPE: {
        title: 'Type de contenu non pris en charge',
        detail: `Le type de contenu « ${request.headers['content-type'] ?? ''} » n'est pas accepté par cette route.`,
      },
      FST_ERR_CTP_EMPTY_JSON_BODY: { title: 'Corps JSON vide', detail: 'Le corps JSON est vide.' },
      FST_ERR_CTP_INVALID_JSON_BODY: { title: 'JSON invalide', detail: 'Le corps de la requête n’est pas un JSON valide.' },
    };
    const k = known[err.code];
    return sendProblem(reply, {
      type: PROBLEM_BASE + (err.code ?? 'client-error').toLowerCase(),
      title: k?.title ?? 'Requête invalide',
      status,
      detail: k?.detail ?? err.message,
      instance,
    });
  });

  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0]!;
    // Client-side routes of the web app fall back to its index.html; API paths keep problem+json.
    if (
      opts.spaIndexHtml &&
      (request.method === 'GET' || request.method === 'HEAD') &&
      !(opts.apiPrefixes ?? []).some((p) => url.startsWith(p)) &&
      !/\.[a-z0-9]{1,5}$/i.test(url)
    ) {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(opts.spaIndexHtml);
    }
    return sendProblem(reply, {
      type: PROBLEM_BASE + 'not-found',
      title: 'Ressource introuvable',
      status: 404,
      detail: `Aucune route ne correspond à ${request.method} ${request.url.split('?')[0]}.`,
      instance: request.url.split('?')[0],
    });
  });
}
