#!/usr/bin/env python3
"""Generates the synthetic demo files of the open data module (deterministic: seed 16).
Nothing here is real: driving schools, speed-control sites, election results and instructors are invented."""
import random

rnd = random.Random(16)
DEPTS = ['01', '06', '13', '2A', '31', '33', '35', '44', '59', '67', '69', '75', '76', '92', '93', '971']
TOWNS = ['Belval', 'Clairmont', 'Fontenelle', 'Haute-Rive', 'Les Aubiers', 'Mirabel', 'Montval', 'Port-Vallon', 'Roche-Blanche', 'Sainte-Aure',
         'Val-de-Loup', 'Vauclair', 'Vieux-Pont', 'Beaulieu-sur-Ore', 'Champfleury', 'Lormont-le-Haut', 'Pré-Saint-Jean', 'Bois-Joli']
SUFFIX = ['', '-sur-Loire', '-en-Vallée', '-les-Bains', '-la-Forêt', '-le-Château']

def luhn_ok(s):
    total = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9: d -= 9
        total += d
    return total % 10 == 0

def siret():
    while True:
        s = ''.join(str(rnd.randint(0, 9)) for _ in range(13))
        for last in range(10):
            if luhn_ok(s + str(last)) and luhn_ok(s[:8] + str(last)) is not None:
                cand = s + str(last)
                # SIREN (9 first digits) must pass Luhn too
                if luhn_ok(cand[:9]):
                    return cand
        continue

def write(name, header, rows):
    with open(name, 'w', encoding='utf-8', newline='') as f:
        f.write(';'.join(header) + '\r\n')
        for r in rows:
            f.write(';'.join(str(c) for c in r) + '\r\n')

# A10 — driving schools (valid)
names = ['Auto-école du Centre', 'Conduite Plus', 'Permis Express', 'École de conduite de la Gare', 'Route et Sécurité', 'Cap Permis', 'Volant Clair',
         'Auto-école des Remparts', 'Feu Vert Conduite', 'Éco-Conduite Formation']
schools = []
for i in range(180):
    d = rnd.choice(DEPTS)
    town = rnd.choice(TOWNS) + rnd.choice(SUFFIX)
    schools.append([f'E{d}{i + 1:05d}0', f'{rnd.choice(names)} {town}', siret(), d, f'{d[:2] if d != "2A" else "20"}{rnd.randint(0, 999):03d}', town,
                    rnd.choice(['B', 'B;A2', 'B;BE', 'B;A2;C', 'B;AM']).replace(';', ','), f'20{rnd.randint(5, 24):02d}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}',
                    rnd.choice(['oui', 'non'])])
write('auto-ecoles.csv', ['numero_agrement', 'raison_sociale', 'siret', 'departement', 'code_postal', 'commune', 'categories_permis', 'date_agrement', 'label_qualite'], schools)

# Instructors with their personal e-mail addresses: the file the personal-data gate stops.
first = ['Camille', 'Julien', 'Sophie', 'Nicolas', 'Isabelle', 'Thomas', 'Nathalie', 'Pierre', 'Claire', 'Antoine', 'Julie', 'Laurent']
last = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent']
mon = []
for i in range(60):
    f_, l_ = rnd.choice(first), rnd.choice(last)
    mon.append([schools[i][0], f_, l_, f'{f_.lower()}.{l_.lower()}{rnd.randint(1, 99)}@exemple-messagerie.fr', rnd.choice(['B', 'B,A2', 'B,C'])])
write('moniteurs.csv', ['numero_agrement', 'prenom', 'nom_famille', 'courriel', 'categories_enseignees'], mon)

# A11 — speed-control sites (schema dsr/controles-vitesse); v2 carries deliberate schema errors.
types = ['fixe', 'troncon', 'feu_rouge', 'discriminant']
sites = []
exploitant = siret()
for i in range(150):
    t = rnd.choice(types)
    v = 50 if t == 'feu_rouge' else rnd.choice([30, 50, 70, 80, 90, 110, 130])
    sites.append([f'CV-{i + 1:05d}', rnd.choice(DEPTS), t, v, f'20{rnd.randint(3, 24):02d}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}', exploitant])
header = ['id_site', 'departement', 'type', 'vitesse_max', 'date_mise_en_service', 'siret_exploitant']
write('controles-vitesse-2024.csv', header, sites)
bad = [list(r) for r in sites] + [[f'CV-{151 + i:05d}', rnd.choice(DEPTS), 'fixe', 90, '2025-03-01', exploitant] for i in range(10)]
bad[42][3] = 210          # above the schema's maximum (130)
bad[77][1] = '99'         # not a department
bad[101][2] = 'mobile'    # not in the enum
write('controles-vitesse-2025.csv', header, bad)

# A08 — election results per commune (synthetic)
res = []
seen = set()
for i in range(300):
    d = rnd.choice(DEPTS)
    code = f'{d if d != "2A" else "2A"}{rnd.randint(1, 999):03d}' if len(d) == 2 else f'{d}{rnd.randint(1, 99):02d}'
    if code in seen: continue
    seen.add(code)
    ins = rnd.randint(150, 60000)
    vot = int(ins * rnd.uniform(0.45, 0.82))
    bl = int(vot * rnd.uniform(0.01, 0.05)); nu = int(vot * rnd.uniform(0.005, 0.02))
    res.append([d, code, rnd.choice(TOWNS) + rnd.choice(SUFFIX), ins, vot, ins - vot, bl, nu, vot - bl - nu])
write('resultats-elections.csv', ['code_departement', 'code_commune', 'libelle_commune', 'inscrits', 'votants', 'abstentions', 'blancs', 'nuls', 'exprimes'], res)
