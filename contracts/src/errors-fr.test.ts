import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import './common.ts';

const messages = (schema: z.ZodType, value: unknown) =>
  Object.fromEntries((schema.safeParse(value).error?.issues ?? []).map((i) => [i.path.join('.'), i.message]));

describe('French error messages (issue 11)', () => {
  it('says in French what zod says by default, for every kind of problem', () => {
    const s = z.object({
      nom: z.string().min(1),
      titre: z.string().min(3).max(5),
      liste: z.array(z.string()).min(1),
      n: z.number().int().max(5),
      role: z.enum(['admin', 'lecteur']),
      courriel: z.email(),
      site: z.url(),
      id: z.uuid(),
      jour: z.iso.date(),
      code: z.string().regex(/^\d{5}$/),
      absent: z.string(),
      strict: z.strictObject({ a: z.string().optional() }),
    });
    expect(
      messages(s, {
        nom: '',
        titre: 'abcdefg',
        liste: [],
        n: 7.5,
        role: 'roi',
        courriel: 'x',
        site: 'y',
        id: 'z',
        jour: '2020-13-01',
        code: 'abc',
        strict: { b: 1 },
      }),
    ).toEqual({
      nom: 'obligatoire',
      titre: 'au plus 5 caractères',
      liste: 'au moins un élément',
      n: 'un nombre entier attendu, un nombre reçu',
      role: 'valeur invalide : « admin », « lecteur » attendu',
      courriel: 'adresse électronique invalide',
      site: 'adresse web (URL) invalide',
      id: 'identifiant invalide (UUID attendu)',
      jour: 'date invalide (AAAA-MM-JJ attendu)',
      code: 'format invalide',
      absent: 'obligatoire',
      strict: 'champ inconnu : « b »',
    });
    expect(messages(z.object({ t: z.string().min(3) }), { t: 'a' })).toEqual({ t: 'au moins 3 caractères' });
    expect(messages(z.object({ n: z.number().min(1) }), { n: 0 })).toEqual({ n: 'doit être supérieur ou égal à 1' });
    expect(messages(z.object({ b: z.boolean() }), { b: 'oui' })).toEqual({ b: 'oui ou non (booléen) attendu, un texte reçu' });
  });

  it('keeps the messages written in the schemas', () => {
    expect(messages(z.object({ nom: z.string().min(2, 'nom trop court') }), { nom: 'a' })).toEqual({ nom: 'nom trop court' });
  });
});
