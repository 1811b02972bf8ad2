import type { ReportSection, RoadmapGap } from '@patrimoine/contracts/roadmap';
import type { RoadmapRow } from './roadmap.repository.ts';

/**
 * What another module contributes to a roadmap's dashboard and committee report, registered with
 * `services.roadmap.registerFeed(feed)` (ADR 0702). The roadmap keeps only the gaps whose action code
 * exists in the roadmap shown; a feed that fails is logged and left out (the report still renders).
 */
export interface RoadmapFeed {
  /** Module name, shown as the source of its gaps. */
  name: string;
  /** Gaps at a date (today for the dashboard, the report's date for a committee report). */
  gaps?(roadmap: RoadmapRow, at: Date): Promise<Omit<RoadmapGap, 'source'>[]>;
  /** Sections of the committee report of the period `from`–`to`. */
  reportSections?(roadmap: RoadmapRow, period: { quarter: string; from: Date; to: Date }): Promise<ReportSection[]>;
}
