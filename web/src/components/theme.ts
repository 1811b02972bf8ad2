/**
 * Colours of charts, figures and highlights, as DSFR theme variables (issue 11): they follow the light
 * and the dark theme, where hard-coded light colours made labels vanish and figures unreadable.
 * Use them through `style` (`style={{ fill: theme.text }}`): CSS variables belong in CSS properties.
 */
export const theme = {
  /** Text of labels, legends and values. */
  text: 'var(--text-default-grey)',
  /** Secondary text (axes, captions). */
  mention: 'var(--text-mention-grey)',
  /** Text drawn on a `blue` background. */
  inverted: 'var(--text-inverted-blue-france)',
  /** Grid lines, borders. */
  grid: 'var(--border-default-grey)',
  /** The empty part of a gauge. */
  track: 'var(--background-contrast-grey)',
  /** A highlighted block's background (a figure card). */
  raised: 'var(--background-alt-grey)',
  /** The platform's main colour (bars, lines, borders). */
  blue: 'var(--background-action-high-blue-france)',
  blueBorder: 'var(--border-plain-blue-france)',
  success: 'var(--background-flat-success)',
  warning: 'var(--background-flat-warning)',
  error: 'var(--background-flat-error)',
  info: 'var(--background-flat-info)',
  neutral: 'var(--background-flat-grey)',
  /** A lighter grey for « not applicable ». */
  faint: 'var(--border-plain-grey)',
  purple: 'var(--background-flat-purple-glycine)',
  brown: 'var(--background-flat-brown-cafe-creme)',
  pink: 'var(--background-flat-pink-macaron)',
  accent: 'var(--artwork-minor-blue-cumulus)',
} as const;
