import type { UnaryHandler, governance } from '@switchyard/proto';
import type { TeamService } from '../../domain/index.js';
import { toWireTeam } from './wire.js';

type S = typeof governance;

/** The team RPCs (one handler each). */
export function teamHandlers(teams: TeamService): {
  createTeam: UnaryHandler<S['CreateTeamRequestSchema'], S['CreateTeamResponseSchema']>;
  listTeams: UnaryHandler<S['ListTeamsRequestSchema'], S['ListTeamsResponseSchema']>;
  getTeam: UnaryHandler<S['GetTeamRequestSchema'], S['GetTeamResponseSchema']>;
  updateTeam: UnaryHandler<S['UpdateTeamRequestSchema'], S['UpdateTeamResponseSchema']>;
  deleteTeam: UnaryHandler<S['DeleteTeamRequestSchema'], S['DeleteTeamResponseSchema']>;
} {
  return {
    createTeam: async (r) => ({ team: toWireTeam(await teams.create({ name: r.name, customerId: r.customerId || undefined })) }),
    listTeams: async (r) => {
      const page = await teams.list(r.limit, r.cursor, r.customerId || undefined);
      return { teams: page.items.map(toWireTeam), nextCursor: page.nextCursor };
    },
    getTeam: async (r) => ({ team: toWireTeam(await teams.get(r.id)) }),
    updateTeam: async (r) => ({ team: toWireTeam(await teams.update(r.id, { name: r.name, customerId: r.customerId })) }),
    deleteTeam: async (r) => {
      await teams.delete(r.id);
      return {};
    },
  };
}
