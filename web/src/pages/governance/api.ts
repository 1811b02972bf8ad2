/** The governance module's data layer: one query-key factory and typed hooks for every call the pages make. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { WireOf } from '@patrimoine/contracts/common';
import type {
  appointment,
  appointmentInput,
  campaign,
  campaignInput,
  campaignList,
  criterionInput,
  decisionInput,
  grid,
  network,
  project,
  projectInput,
  projectList,
  publicNetwork,
  remindResult,
  reviewItem,
  reviewItemPage,
} from '@patrimoine/contracts/governance';
import { api, qs } from '../../api/client';

export type Appointment = WireOf<typeof appointment>;
export type Network = WireOf<typeof network>;
export type NetworkSlot = Network['directorates'][number];
export type Campaign = WireOf<typeof campaign>;
export type ReviewItem = WireOf<typeof reviewItem>;
export type Grid = WireOf<typeof grid>;
export type Project = WireOf<typeof project>;
export type AppointmentBody = z.input<typeof appointmentInput>;
export type CampaignBody = z.input<typeof campaignInput>;
export type CriterionBody = z.input<typeof criterionInput>;
export type ProjectBody = z.input<typeof projectInput>;
export type DecisionBody = z.input<typeof decisionInput>;

const A = '/api/governance';
/** API paths (also the addresses of the CSV and PDF downloads). */
export const governanceUrls = {
  appointmentsCsv: () => `${A}/appointments${qs({ format: 'csv' })}`,
  letter: (id: string) => `${A}/appointments/${id}/letter`,
  itemsCsv: (id: string, f: Record<string, string>) => `${A}/campaigns/${id}/items${qs({ ...f, format: 'csv' })}`,
  projectsCsv: () => `${A}/projects${qs({ format: 'csv' })}`,
};

export const governanceKeys = {
  all: ['governance'] as const,
  network: () => [...governanceKeys.all, 'network'] as const,
  campaigns: () => [...governanceKeys.all, 'campaigns'] as const,
  campaign: (id: string) => [...governanceKeys.all, 'campaign', id] as const,
  items: (id: string, f: Record<string, string>) => [...governanceKeys.all, 'campaign', id, 'items', f] as const,
  grid: () => [...governanceKeys.all, 'grid'] as const,
  projects: () => [...governanceKeys.all, 'projects'] as const,
  project: (id: string) => [...governanceKeys.all, 'project', id] as const,
  public: ['governance-public'] as const,
};

/** After a change, every governance view and the roadmap (fed by the directory) are refreshed. */
function useRefresh() {
  const qc = useQueryClient();
  return async () => {
    await qc.invalidateQueries({ queryKey: governanceKeys.all });
    await qc.invalidateQueries({ queryKey: ['roadmap'] });
  };
}

export const useNetwork = () => useQuery({ queryKey: governanceKeys.network(), queryFn: () => api<Network>(`${A}/network`) });
export const usePublicNetwork = () =>
  useQuery({ queryKey: governanceKeys.public, queryFn: () => api<WireOf<typeof publicNetwork>>('/api/public/governance/network') });

export function useCreateAppointment() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (body: AppointmentBody) => api<Appointment>(`${A}/appointments`, { method: 'POST', body }), onSuccess: refresh });
}
export function useEndAppointment() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (v: { id: string; version: number; until: string }) =>
      api<Appointment>(`${A}/appointments/${v.id}`, { method: 'PATCH', body: { version: v.version, until: v.until } }),
    onSuccess: refresh,
  });
}
export function useUploadLetter() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (v: { id: string; file: File | null; signedOn: string; signatory: string }) => {
      const fd = new FormData();
      fd.set('signedOn', v.signedOn);
      fd.set('signatory', v.signatory);
      if (v.file) fd.set('letter', v.file);
      return api<Appointment>(`${A}/appointments/${v.id}/letter`, { method: 'PUT', body: fd });
    },
    onSuccess: refresh,
  });
}

export const useCampaigns = () => useQuery({ queryKey: governanceKeys.campaigns(), queryFn: () => api<WireOf<typeof campaignList>>(`${A}/campaigns`) });
export const useCampaign = (id: string) => useQuery({ queryKey: governanceKeys.campaign(id), queryFn: () => api<Campaign>(`${A}/campaigns/${id}`) });
export const useReviewItems = (id: string, f: Record<string, string>) =>
  useQuery({
    queryKey: governanceKeys.items(id, f),
    queryFn: () => api<WireOf<typeof reviewItemPage>>(`${A}/campaigns/${id}/items${qs({ ...f, pageSize: 500 })}`),
  });
export function useCreateCampaign() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (body: CampaignBody) => api<Campaign>(`${A}/campaigns`, { method: 'POST', body }), onSuccess: refresh });
}
export function useConfirmItem(id: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (assetId: string) => api<ReviewItem>(`${A}/campaigns/${id}/items/${assetId}/confirm`, { method: 'POST' }),
    onSuccess: refresh,
  });
}
export function useRemind(id: string) {
  return useMutation({ mutationFn: () => api<WireOf<typeof remindResult>>(`${A}/campaigns/${id}/remind`, { method: 'POST' }) });
}
export function useCloseCampaign(id: string) {
  const refresh = useRefresh();
  return useMutation({ mutationFn: () => api<Campaign>(`${A}/campaigns/${id}/close`, { method: 'POST' }), onSuccess: refresh });
}

export const useGrid = () => useQuery({ queryKey: governanceKeys.grid(), queryFn: () => api<Grid>(`${A}/grid`) });
export function useSaveGrid() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (criteria: CriterionBody[]) => api<Grid>(`${A}/grid`, { method: 'PUT', body: { criteria } }), onSuccess: refresh });
}
export const useProjects = () => useQuery({ queryKey: governanceKeys.projects(), queryFn: () => api<WireOf<typeof projectList>>(`${A}/projects`) });
export const useProject = (id: string) => useQuery({ queryKey: governanceKeys.project(id), queryFn: () => api<Project>(`${A}/projects/${id}`) });
export function useCreateProject() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (body: ProjectBody) => api<Project>(`${A}/projects`, { method: 'POST', body }), onSuccess: refresh });
}
export function useScoreProject(id: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (scores: { criterionId: string; score: number; comment?: string }[]) =>
      api<Project>(`${A}/projects/${id}/scores`, { method: 'PUT', body: { scores } }),
    onSuccess: refresh,
  });
}
export function useDecideProject(id: string) {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (body: DecisionBody) => api<Project>(`${A}/projects/${id}/decision`, { method: 'POST', body }), onSuccess: refresh });
}
