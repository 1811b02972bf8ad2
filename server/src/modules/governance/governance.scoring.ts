/**
 * The value grid's arithmetic (A29, ADR 0705): each axis (valeur, effort) is the weighted mean of its
 * criteria's scores (0–5), brought to 0–100. Criteria without a score do not count.
 */
export function scoreProject(
  criteria: { id: string; axis: 'valeur' | 'effort'; weight: number }[],
  scores: Record<string, { score: number }>,
): { value: number | null; effort: number | null } {
  const axis = (a: 'valeur' | 'effort') => {
    let w = 0;
    let s = 0;
    for (const c of criteria) {
      const x = scores[c.id];
      if (c.axis !== a || !x) continue;
      w += c.weight;
      s += c.weight * x.score;
    }
    return w ? Math.round((s / w / 5) * 100) : null;
  };
  return { value: axis('valeur'), effort: axis('effort') };
}

/** Quadrant of a project on the matrix (value against effort, 50 as the middle). */
export function quadrant(value: number, effort: number): 'prioritaire' | 'strategique' | 'opportunite' | 'a_eviter' {
  if (value >= 50) return effort < 50 ? 'prioritaire' : 'strategique';
  return effort < 50 ? 'opportunite' : 'a_eviter';
}
