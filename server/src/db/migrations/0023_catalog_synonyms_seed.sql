-- Custom SQL migration: the first French synonym list of the catalogue search (ADR 0106), loaded once.
-- The data team edits it afterwards on /catalogue/synonymes; a later start never reloads it.
INSERT INTO "catalog_synonyms" ("terms", "note") VALUES
  (ARRAY['carte grise', 'certificat d''immatriculation'], 'Le certificat d''immatriculation est le nom officiel de la carte grise.'),
  (ARRAY['RH', 'ressources humaines'], NULL),
  (ARRAY['décès', 'décédé', 'mortalité'], 'Les formes « décès » et « décédé » n''ont pas la même racine en recherche française.'),
  (ARRAY['pompiers', 'sapeurs-pompiers', 'SDIS', 'secours'], 'Services départementaux d''incendie et de secours.'),
  (ARRAY['élection', 'scrutin', 'vote'], NULL),
  (ARRAY['municipales', 'communales'], 'Élections municipales.'),
  (ARRAY['commune', 'municipalité', 'collectivité'], NULL),
  (ARRAY['jeu de données', 'données', 'dataset'], NULL),
  (ARRAY['API', 'interface de programmation'], NULL),
  (ARRAY['code source', 'logiciel', 'dépôt de code'], NULL),
  (ARRAY['algorithme', 'traitement algorithmique'], NULL),
  (ARRAY['CNI', 'carte nationale d''identité', 'carte d''identité'], NULL),
  (ARRAY['titre de séjour', 'carte de séjour'], NULL),
  (ARRAY['véhicule', 'voiture', 'automobile'], NULL),
  (ARRAY['permis de conduire', 'droits à conduire'], NULL),
  (ARRAY['COG', 'code officiel géographique'], NULL),
  (ARRAY['IA', 'intelligence artificielle'], NULL),
  (ARRAY['adresse', 'domicile'], NULL),
  (ARRAY['délinquance', 'criminalité', 'crimes et délits'], NULL);
