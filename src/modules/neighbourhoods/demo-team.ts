import type { Services } from '../../services.ts'

// Placeholder: replaced by the real demo loader.
export async function loadDemoTeams(_services: Services, _opts: { seed: number; now: Date }): Promise<void> {}
