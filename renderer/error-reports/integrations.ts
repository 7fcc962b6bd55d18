import {
  breadcrumbsIntegration,
  browserApiErrorsIntegration,
  dedupeIntegration,
  eventFiltersIntegration,
  functionToStringIntegration,
  globalHandlersIntegration,
  httpContextIntegration,
  linkedErrorsIntegration,
} from '@sentry/browser';
import { PROCESS_TAG, errorReportHooks } from '#common/index.js';

/**
 * What the web UI and the desktop renderer share: errors only (uncaught errors and rejections,
 * errors in timers and event handlers), with breadcrumbs of clicks, navigation, console lines and
 * requests (URLs only, never bodies); no session tracking, tracing, replays or user feedback; and
 * Klaxon's one scrubber (common/error-reports.ts) on every event and breadcrumb.
 */
export function sharedOptions(process: 'web' | 'desktop-renderer', sensitive: () => string[]) {
  return {
    defaultIntegrations: false as const,
    integrations: [
      eventFiltersIntegration(),
      functionToStringIntegration(),
      browserApiErrorsIntegration(),
      breadcrumbsIntegration({ console: true, dom: true, fetch: true, history: true, xhr: true, sentry: false }),
      globalHandlersIntegration(),
      linkedErrorsIntegration(),
      dedupeIntegration(),
      httpContextIntegration(),
    ],
    sendDefaultPii: false,
    sendClientReports: false,
    initialScope: { tags: { [PROCESS_TAG]: process } },
    ...errorReportHooks(sensitive),
  };
}
