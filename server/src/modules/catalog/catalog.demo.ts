import type { AssetDocument } from './catalog.service.ts';

/**
 * Demo catalogue: real systems named by the ministry's roadmap « Données, algorithmes et codes
 * sources 2021-2023 » (shared/seed), with the owners and links the text describes. Descriptions
 * paraphrase the roadmap; technical details not given by the text are left empty, so that the
 * completeness score shows what an owner would have to fill in. Every asset is flagged `isDemo`.
 */
export const demoAssets: AssetDocument[] = [
  // ---- Sécurité routière / immatriculation (DSR, DMAT, ANTS)
  { kind: 'application', slug: 'siv', title: 'SIV — Système d’immatriculation des véhicules', owner: 'DMAT', lifecycle: 'en_service', openness: 'non_ouvrable', opennessReason: 'Données personnelles des titulaires de certificats d’immatriculation (RGPD) ; communication encadrée par le code de la route.', personalData: true, tags: ['immatriculation', 'véhicules'], description: 'Fichier national des immatriculations. Mis à jour chaque mois des personnes décédées grâce à l’API des personnes décédées ; une réplique est analysée chaque jour par SELFIM.', spec: { purpose: 'Immatriculer les véhicules et délivrer les certificats d’immatriculation', users: 'CERT CIV, professionnels de l’automobile, forces de l’ordre' } },
  { kind: 'application', slug: 'selfim', title: 'SELFIM — détection de la fraude aux cartes grises', owner: 'DNUM', lifecycle: 'en_service', openness: 'ferme', personalData: true, tags: ['fraude', 'immatriculation', 'datascience'], description: 'Application de datascience qui analyse chaque jour une réplique du SIV et signale aux experts des CERT CIV les dossiers suspects, à partir de typologies de fraude établies avec eux et le Laboratoire de la donnée de la DNUM. Elle analyse 100 % des opérations du SIV là où les agents en contrôlaient 20 %.', spec: { purpose: 'Détecter les fraudes potentielles à l’immatriculation', users: 'Experts des CERT CIV' } },
  { kind: 'dataset', slug: 'replique-siv', title: 'Réplique quotidienne du SIV', owner: 'DNUM', openness: 'non_ouvrable', opennessReason: 'Données personnelles (RGPD) ; usage interne à la lutte contre la fraude.', personalData: true, tags: ['immatriculation'], description: 'Copie quotidienne des opérations du SIV mise à disposition de SELFIM.', spec: { frequency: 'daily' } },
  { kind: 'application', slug: 'histovec', title: 'Histovec', owner: 'DSR', lifecycle: 'en_service', openness: 'ouvert', tags: ['véhicules', 'téléservice'], description: 'Téléservice né d’un hackathon : le vendeur d’un véhicule d’occasion partage avec l’acheteur l’historique du véhicule (faits marquants enregistrés dans le SIV).', spec: { purpose: 'Partager l’historique d’un véhicule d’occasion', users: 'Vendeurs et acheteurs de véhicules d’occasion' } },
  { kind: 'repository', slug: 'histovec', title: 'Code source d’Histovec', owner: 'DNUM', openness: 'ouvert', tags: ['véhicules'], description: 'Code publié par le Lab MI sur GitHub.', spec: { url: 'https://github.com/histovec', developmentStatus: 'stable', softwareType: 'standalone/web' } },
  { kind: 'api', slug: 'api-historique-vehicule', title: 'API historique d’un véhicule (Histovec)', owner: 'DSR', openness: 'a_ouvrir', tags: ['véhicules', 'api.gouv.fr'], description: 'Permettra à des sites partenaires d’obtenir l’historique d’un véhicule avec l’accord de son propriétaire (action A12, ouverture visée au T4 2021).', spec: { accessType: 'restricted' } },
  { kind: 'api', slug: 'api-certificat-immatriculation', title: 'API certificat d’immatriculation (carte de stationnement résident)', owner: 'DSR', openness: 'a_ouvrir', tags: ['véhicules', 'dites-le-nous une fois'], description: 'Développée en 2018 : une commune interroge le SIV pour délivrer une carte de stationnement résidentiel sans copie du certificat d’immatriculation (Paris, Lyon, Marseille, puis cinq communes).', spec: { accessType: 'restricted' } },
  { kind: 'application', slug: 'snpc', title: 'SNPC — Fichier national des permis de conduire', owner: 'DSR', lifecycle: 'a_decommissionner', decommissionPlannedOn: '2023-06-30', openness: 'non_ouvrable', opennessReason: 'Données personnelles ; communication limitativement encadrée par le code de la route.', personalData: true, tags: ['permis de conduire'], description: 'Outil actuel de gestion des permis de conduire, remplacé par ERPC à partir de fin 2022.' },
  { kind: 'application', slug: 'erpc', title: 'ERPC — successeur du SNPC', owner: 'DSR', lifecycle: 'projet', openness: 'non_ouvrable', opennessReason: 'Données personnelles ; code de la route.', personalData: true, tags: ['permis de conduire'], description: 'Futur système des permis de conduire, fiabilisé par l’API des personnes décédées (action A14, 2023).' },
  { kind: 'application', slug: 'telepoints', title: 'Télépoints (MesPointsPermis)', owner: 'DSR', openness: 'ferme', personalData: true, tags: ['permis de conduire', 'téléservice'], description: 'Service en ligne de consultation du nombre de points de son permis ; évolue vers MesPointsPermis.' },
  { kind: 'api', slug: 'verifpermis', title: 'API Vérifpermis (droits à conduire)', owner: 'DSR', openness: 'a_ouvrir', personalData: true, tags: ['permis de conduire'], description: 'Permettra aux employeurs de sociétés de transport de vérifier les droits à conduire de leurs chauffeurs ; candidate à FranceConnect (A24).', spec: { accessType: 'restricted' } },
  { kind: 'application', slug: 'candilib', title: 'Candilib', owner: 'DSR', openness: 'ouvert', tags: ['permis de conduire', 'téléservice'], description: 'Réserver une place d’examen pratique du permis B en candidat libre, sans auto-école.' },
  { kind: 'repository', slug: 'candilib', title: 'Code source de Candilib', owner: 'DNUM', openness: 'ouvert', tags: ['permis de conduire'], description: 'candilibV2, publié par le Lab MI.', spec: { url: 'https://github.com/LAB-MI/candilibV2', developmentStatus: 'stable', softwareType: 'standalone/web' } },
  { kind: 'algorithm', slug: 'candilib-attribution-places', title: 'Attribution des places d’examen du permis (Candilib)', owner: 'DSR', openness: 'a_ouvrir', tags: ['permis de conduire', 'algorithme public'], description: 'Règles de répartition des places d’examen entre candidats libres.', spec: { individualDecisions: true, algorithmType: 'rules', publicConcerned: 'Candidats libres au permis B' } },
  { kind: 'algorithm', slug: 'calcul-points-permis', title: 'Calcul des points du permis de conduire', owner: 'DSR', openness: 'a_ouvrir', tags: ['permis de conduire', 'algorithme public'], description: 'Règles de gestion du calcul des points, dont l’exposition est à l’étude.', spec: { individualDecisions: true, automation: 'fully_automated', algorithmType: 'rules', legalBasis: 'Code de la route, articles L223-1 et suivants' } },
  { kind: 'dataset', slug: 'auto-ecoles-labellisees', title: 'Auto-écoles labellisées', owner: 'DSR', openness: 'a_ouvrir', tags: ['permis de conduire'], description: 'Coordonnées des 3 000 auto-écoles labellisées, avec leur emplacement cartographique (ouverture progressive à partir du T3 2021).', spec: { licence: 'Licence Ouverte 2.0', spatialCoverage: 'France' } },
  // ---- Identité, décès (DNUM)
  { kind: 'application', slug: 'matchid', title: 'MatchID — mise en qualité de l’identité pivot', owner: 'DNUM', openness: 'ouvert', tags: ['identité', 'décès'], description: 'Produit de rapprochement d’identités né d’un défi EIG ; a conduit à l’API des personnes décédées. Fiabilise aussi les statistiques de la sécurité routière en rapprochant le SIV des registres de décès.', spec: { purpose: 'Rapprocher des identités entre fichiers' } },
  { kind: 'api', slug: 'api-personnes-decedees', title: 'API des personnes décédées', owner: 'DNUM', openness: 'ouvert', tags: ['décès', 'identité', 'api.gouv.fr'], description: 'Recherche dans le fichier des personnes décédées de l’INSEE, avec suggestion de corrections par les usagers (depuis avril 2021). Utilisée pour le SIV, la lutte contre la fraude à l’identité, des CHU et des généalogistes.', spec: { baseUrl: 'https://deces.matchid.io/deces/api/v1', accessType: 'open' } },
  { kind: 'dataset', slug: 'fichier-deces-insee', title: 'Fichier des personnes décédées (INSEE)', openness: 'ouvert', tags: ['décès'], description: 'Fichier des décès publié en open data par l’INSEE depuis 1970, réutilisé par l’API des personnes décédées.', spec: { licence: 'Licence Ouverte 2.0', frequency: 'monthly', temporalCoverageStart: '1970-01-01', spatialCoverage: 'France', datagouvUrl: 'https://www.data.gouv.fr/fr/datasets/fichier-des-personnes-decedees/' } },
  {
    kind: 'data_model',
    slug: 'fichier-deces-insee',
    title: 'Dictionnaire du fichier des personnes décédées (INSEE)',
    openness: 'ouvert',
    tags: ['décès'],
    description: 'Enregistrements de longueur fixe publiés par l’INSEE (une ligne par décès), tels que les lit l’API des personnes décédées.',
    spec: {
      tables: [
        {
          name: 'deces',
          description: 'Un décès enregistré à l’état civil',
          columns: [
            { name: 'nom_prenoms', type: 'char(80)', description: 'Nom, puis prénoms séparés de « * » et terminés par « / »', personalData: true, example: 'DUPONT*JEAN PIERRE/' },
            { name: 'sexe', type: 'char(1)', description: '1 = masculin, 2 = féminin', example: '1' },
            { name: 'date_naissance', type: 'char(8)', description: 'AAAAMMJJ (00 pour une partie inconnue)', personalData: true, example: '19400312' },
            { name: 'lieu_naissance', type: 'char(5)', description: 'Code officiel géographique de la commune de naissance', example: '75056' },
            { name: 'commune_naissance', type: 'char(30)', description: 'Libellé de la commune de naissance' },
            { name: 'pays_naissance', type: 'char(30)', description: 'Libellé du pays de naissance (naissance à l’étranger)' },
            { name: 'date_deces', type: 'char(8)', description: 'AAAAMMJJ', example: '20210105' },
            { name: 'lieu_deces', type: 'char(5)', description: 'Code officiel géographique de la commune de décès', example: '69123' },
            { name: 'numero_acte', type: 'char(9)', description: 'Numéro de l’acte de décès' },
          ],
        },
      ],
    },
  },
  { kind: 'repository', slug: 'matchid-deces-backend', title: 'Code source de l’API des personnes décédées', owner: 'DNUM', openness: 'ouvert', tags: ['décès'], description: 'deces-backend de matchID.', spec: { url: 'https://github.com/matchID-project/deces-backend', licence: 'LGPL-3.0-only', developmentStatus: 'stable', softwareType: 'standalone/backend' } },
  // ---- Adresse, titres (DMAT, ANTS)
  { kind: 'api', slug: 'justif-adresse', title: 'API Justif’Adresse', owner: 'DNUM', openness: 'a_ouvrir', personalData: true, tags: ['adresse', 'titres', 'dites-le-nous une fois'], description: 'Compare l’adresse saisie lors d’une demande de titre avec celle connue d’un fournisseur (énergie, télécoms) ; plus de 500 000 appels par mois, dispense de justificatif de domicile (A26).', spec: { accessType: 'restricted' } },
  { kind: 'application', slug: 'docverif', title: 'DOCVERIF', owner: 'DMAT', openness: 'ferme', personalData: true, tags: ['titres', 'fraude'], description: 'Vérification des titres pour lutter contre la fraude documentaire : forces de sécurité intérieure (cercle 1), puis administrations et établissements de crédit (cercle 2). Maîtrise d’ouvrage DMAT, maîtrise d’œuvre ANTS.' },
  // ---- IA (DMIA, DNUM)
  { kind: 'application', slug: 'ia-flash', title: 'IA Flash', owner: 'DNUM', openness: 'ouvert', tags: ['intelligence artificielle', 'véhicules'], description: 'Fiabiliser la constatation des contraventions à partir de la reconnaissance d’images.' },
  { kind: 'api', slug: 'matchvec', title: 'API matchvec — reconnaissance de la marque et du modèle de véhicule', owner: 'DNUM', openness: 'ouvert', tags: ['intelligence artificielle', 'véhicules'], description: 'API de reconnaissance de la marque et du modèle d’un véhicule à partir d’une image.', spec: { baseUrl: 'https://ia-flash.github.io/matchvec/', accessType: 'open' } },
  { kind: 'algorithm', slug: 'matchvec-classification', title: 'Classification marque et modèle de véhicule (matchvec)', owner: 'DNUM', openness: 'ouvert', tags: ['intelligence artificielle'], description: 'Réseau de neurones de classification d’images de véhicules.', spec: { algorithmType: 'machine_learning', automation: 'decision_aid', individualDecisions: false } },
  { kind: 'repository', slug: 'matchvec', title: 'Code source de matchvec', owner: 'DNUM', openness: 'ouvert', tags: ['intelligence artificielle'], description: 'Publié par le projet IA Flash.', spec: { url: 'https://github.com/ia-flash/matchvec' } },
  // ---- Armes (SCAE), associations (DLPAJ), collectivités (DGCL)
  { kind: 'api', slug: 'api-rga', title: 'API RGA — Référentiel général des armes', owner: 'SCAE', openness: 'a_ouvrir', tags: ['armes', 'api.gouv.fr'], description: 'Conçue en 2019 par une « squad API » : gestion complète du référentiel des armes légales. Candidate au catalogue api.gouv.fr.' },
  { kind: 'dataset', slug: 'referentiel-general-armes', title: 'Référentiel général des armes', owner: 'SCAE', openness: 'a_ouvrir', tags: ['armes'], description: 'Référentiel des armes légales géré par le Service central des armes et explosifs.' },
  { kind: 'dataset', slug: 'rna', title: 'RNA — Répertoire national des associations', owner: 'DLPAJ', openness: 'ouvert', tags: ['associations'], description: 'Données du Registre national des associations, publiées sur data.gouv.fr et coproduites avec l’écosystème.', spec: { licence: 'Licence Ouverte 2.0', frequency: 'monthly', spatialCoverage: 'France' } },
  { kind: 'api', slug: 'api-cog', title: 'API COG — Code officiel géographique', owner: 'DNUM', openness: 'ferme', tags: ['référentiel', 'géographie'], description: 'API interne référencée dans le catalogue api.minint.fr.', spec: { accessType: 'restricted' } },
  { kind: 'dataset', slug: 'resultats-elections', title: 'Résultats des élections', owner: 'DMAT', openness: 'ouvert', tags: ['élections'], description: 'Candidatures, résultats et mandats : informations à caractère public publiées sur data.gouv.fr et le site du ministère.', spec: { licence: 'Licence Ouverte 2.0', frequency: 'irregular', spatialCoverage: 'France' } },
  // ---- RH, sécurité civile, statistiques
  { kind: 'application', slug: 'valorh', title: 'ValoRH — valorisation de la donnée RH', owner: 'DRH', lifecycle: 'projet', openness: 'ferme', personalData: true, tags: ['ressources humaines', 'datavisualisation'], description: 'Outil de pilotage et de datavisualisation de la donnée RH visé pour fin 2022.' },
  { kind: 'application', slug: 'infosdis', title: 'INFOSDIS — entrepôt national de données de sécurité civile', owner: 'DGSCGC', lifecycle: 'projet', openness: 'ferme', tags: ['sécurité civile'], description: 'Outil national de pilotage des services d’incendie et de secours (SIS) départementaux, puis de l’ensemble de la sécurité civile.' },
  { kind: 'application', slug: 'interstats', title: 'Interstats — statistiques de la sécurité intérieure', owner: 'SSMSI', openness: 'ouvert', tags: ['statistiques', 'datavisualisation'], description: 'Publications et datavisualisations du service statistique ministériel de la sécurité intérieure ; ouverture des codes de datavisualisation prévue.' },
  { kind: 'dataset', slug: 'crimes-delits-enregistres', title: 'Crimes et délits enregistrés par la police et la gendarmerie', owner: 'SSMSI', openness: 'ouvert', tags: ['statistiques', 'délinquance'], description: 'Séries statistiques diffusées par le SSMSI.', spec: { licence: 'Licence Ouverte 2.0', frequency: 'monthly', spatialCoverage: 'France, départements' } },
];

/** Relations the roadmap text describes, as `[type, from, to, note]`. */
export const demoRelations: [string, string, string, string?][] = [
  ['uses', 'application:selfim', 'dataset:replique-siv', 'analyse quotidienne'],
  ['produces', 'application:siv', 'dataset:replique-siv', 'réplique quotidienne'],
  ['uses', 'application:siv', 'api:api-personnes-decedees', 'mise à jour mensuelle des décès'],
  ['uses', 'application:erpc', 'api:api-personnes-decedees', 'action A14'],
  ['dependsOn', 'application:histovec', 'application:siv'],
  ['implements', 'repository:histovec', 'application:histovec'],
  ['exposes', 'api:api-historique-vehicule', 'application:histovec'],
  ['uses', 'api:api-certificat-immatriculation', 'application:siv'],
  ['uses', 'api:verifpermis', 'application:snpc'],
  ['dependsOn', 'application:telepoints', 'application:snpc'],
  ['implements', 'repository:candilib', 'application:candilib'],
  ['partOf', 'algorithm:candilib-attribution-places', 'application:candilib'],
  ['uses', 'api:api-personnes-decedees', 'dataset:fichier-deces-insee'],
  ['implements', 'repository:matchid-deces-backend', 'api:api-personnes-decedees'],
  ['uses', 'application:matchid', 'dataset:fichier-deces-insee'],
  ['describes', 'data_model:fichier-deces-insee', 'dataset:fichier-deces-insee'],
  ['uses', 'application:matchid', 'application:siv', 'statistiques de sécurité routière'],
  ['implements', 'repository:matchvec', 'api:matchvec'],
  ['uses', 'application:ia-flash', 'api:matchvec'],
  ['partOf', 'algorithm:matchvec-classification', 'api:matchvec'],
  ['exposes', 'api:api-rga', 'dataset:referentiel-general-armes'],
  ['uses', 'application:docverif', 'application:siv'],
];
