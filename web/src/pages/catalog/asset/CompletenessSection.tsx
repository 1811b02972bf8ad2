import type { AssetDetail } from '../api';
import { theme } from '../../../components/theme';

/** The completeness score and the checks that are not met yet. */
export function CompletenessSection({ completeness }: { completeness: AssetDetail['completeness'] }) {
  const missing = completeness.checks.filter((c) => !c.ok);
  return (
    <section aria-labelledby="completeness-title" className="fr-mb-4w">
      <h2 id="completeness-title" className="fr-h4">
        Complétude : {completeness.score} %
      </h2>
      <div
        role="progressbar"
        aria-valuenow={completeness.score}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-label="Score de complétude"
        style={{ height: 10, background: 'var(--background-contrast-grey)', maxWidth: 400 }}
      >
        <div
          style={{
            width: `${completeness.score}%`,
            height: '100%',
            background: completeness.score >= 80 ? theme.success : completeness.score >= 50 ? theme.warning : theme.error,
          }}
        />
      </div>
      {missing.length > 0 ? (
        <>
          <p className="fr-mt-2w fr-mb-1v">Ce qu’il manque :</p>
          <ul data-testid="missing-checks">
            {missing.map((c) => (
              <li key={c.id}>{c.label}</li>
            ))}
          </ul>
        </>
      ) : (
        <p className="fr-mt-2w">Tous les contrôles sont satisfaits.</p>
      )}
      <details>
        <summary>Tous les contrôles ({completeness.checks.length})</summary>
        <ul>
          {completeness.checks.map((c) => (
            <li key={c.id}>
              {c.ok ? '✔' : '✘'} {c.label}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
