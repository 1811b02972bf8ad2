import { describe, expect, it } from 'vitest';
import { communesWithin, distanceMeters, haversine, MAX_RADIUS_METERS, parseGeoPoint, pointOf } from './geo.ts';

describe('geo points of communes (matchID’s birthGeoPoint / deathGeoPoint)', () => {
  it('reads Elasticsearch distances as matchID accepts them, 1 km when the unit is unknown', () => {
    expect(distanceMeters('10km')).toBe(10_000);
    expect(distanceMeters('500 m')).toBe(500);
    expect(distanceMeters('2mi')).toBeCloseTo(3218.688, 3);
    expect(distanceMeters('1.5kilometers')).toBe(1500);
    expect(distanceMeters('3NM')).toBe(5556);
    expect(distanceMeters('10 parsecs')).toBe(1000);
    expect(distanceMeters(undefined)).toBe(1000);
  });

  it('requires latitude, longitude and distance, in range, from an object or a JSON string', () => {
    expect(parseGeoPoint({ latitude: 49.6, longitude: 2.98, distance: '10km' })).toEqual({ latitude: 49.6, longitude: 2.98, meters: 10_000 });
    expect(parseGeoPoint('{"latitude": 49.6, "longitude": 2.98, "distance": "10km"}')).toMatchObject({ meters: 10_000 });
    expect(parseGeoPoint('{"latitude": 49.6, "longitude": 2.98}')).toHaveProperty('error');
    expect(parseGeoPoint('pas du json')).toHaveProperty('error');
    expect(parseGeoPoint({ latitude: 95, longitude: 2, distance: '1km' })).toHaveProperty('error');
    expect(parseGeoPoint({ latitude: 45, longitude: 200, distance: '1km' })).toHaveProperty('error');
    expect(parseGeoPoint({ latitude: 45, longitude: 2, distance: `${MAX_RADIUS_METERS / 1000 + 1}km` })).toHaveProperty('error');
    expect(parseGeoPoint([1, 2])).toHaveProperty('error');
  });

  it('gives each commune a point: COG 2026, codes merged since 2018, arrondissements; none abroad', () => {
    expect(pointOf('60471')).toEqual({ lat: 49.57818, lon: 3.00847 }); // Noyon
    // Béon (01039) joined Culoz-Béon (01138) in COG 2026: the same point.
    expect(pointOf('01039')).toEqual(pointOf('01138'));
    expect(pointOf('75115')).toEqual(pointOf('75056'));
    expect(pointOf('99134')).toBeNull();
  });

  it('finds the communes within a radius, by great-circle distance', () => {
    // Paris – Marseille: about 661 km.
    expect(haversine(pointOf('75056')!, pointOf('13055')!) / 1000).toBeGreaterThan(640);
    expect(haversine(pointOf('75056')!, pointOf('13055')!) / 1000).toBeLessThan(680);
    const near = communesWithin({ latitude: 49.6, longitude: 2.98, meters: 10_000 });
    expect(near).toContain('60471');
    expect(near).not.toContain('75056');
    const paris = communesWithin({ latitude: 48.8566, longitude: 2.3522, meters: 2000 });
    expect(paris).toContain('75056');
    expect(paris).toContain('75115');
    expect(communesWithin({ latitude: 0, longitude: 0, meters: 10_000 })).toEqual([]);
  });
});
