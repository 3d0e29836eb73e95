import { z } from 'zod';

/** Any JSON object, unchanged: results pass through without SDK parsing or output validation. */
export const AnyObject = z.looseObject({});

const item = z.record(z.string(), z.unknown());
const page = (key: string) => z.looseObject({ [key]: z.array(item).default([]), nextCursor: z.string().optional() });

export const ToolsPage = page('tools');
export const ResourcesPage = page('resources');
export const ResourceTemplatesPage = page('resourceTemplates');
export const PromptsPage = page('prompts');
