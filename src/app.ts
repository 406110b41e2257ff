import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import pino from 'pino';
import pinoHttp from 'pino-http';
import crypto from 'node:crypto';
import { rootDir } from './config';
import { asPageRead } from './db/knex';
import type { AppDeps } from './deps';
import { createPassport, sessionTimeouts } from './web/auth';
import { csrfProtection } from './web/csrf';
import { errorHandler, notFoundHandler } from './web/error-handler';
import { languageMiddleware } from './web/language';
import { baseLocals, userLocals } from './web/locals';
import { keepAnonymousPages } from './web/kept-pages';
import { errorSummaryLabels } from './web/error-summary';
import { saveSessionBeforeRedirect, sessionMiddleware } from './web/session';
import { refuseForbiddenText } from './web/text-guard';
import { createSignInLimits } from './web/signin-limits';
import { createUploader } from './files/uploads';
import { accountsRoutes } from './modules/accounts/routes';
import { adminUserRoutes } from './modules/accounts/admin-routes';
import { accountSecurityRoutes } from './modules/accounts/security-routes';
import { accountGates } from './web/second-factor';
import { signInLimitAdminRoutes } from './modules/accounts/signin-limit-admin';
import { auditScopeAdminRoutes } from './modules/accounts/audit-scope';
import { streetRoutes } from './modules/streets/routes';
import { organizationRoutes } from './modules/organizations/routes';
import { bidRoutes } from './modules/bids/routes';
import { auditTrailRoutes } from './modules/audit-trail/routes';
import { healthRoutes } from './modules/health/routes';
import { dashboardRoutes } from './modules/dashboard/routes';
import { fundsRoutes } from './modules/funds/routes';
import { notificationRoutes, unreadCountInHeader } from './modules/notifications/routes';
import { catalogRoutes } from './modules/catalog/routes';
import { reviewRoutes } from './modules/reviews/routes';
import { awardRoutes } from './modules/awards/routes';
import { callRoutes } from './modules/calls/routes';
import { useAuditKey } from './audit/keys';
import { contractRoutes } from './modules/contracts';
import { evaluationRoutes } from './modules/evaluations';
import { disclosureRoutes } from './modules/disclosure';
import { paymentRoutes } from './modules/payments';
import { reportRoutes } from './modules/reports';

export interface App {
  app: express.Express;
  /** Stops timers the app started (the session cleanup) once its start-up reads are done; the database is the caller's. */
  close(): Promise<void>;
}

/** Builds the whole app from its dependencies, so tests build exactly what production runs. */
export function createApp(deps: AppDeps): App {
  const { config } = deps;
  useAuditKey(config.auditKey);
  const logger = pino({ level: config.logLevel });
  const app = express();
  app.set('view engine', 'ejs');
  app.set('views', path.join(rootDir, 'views'));
  app.set('view cache', config.viewCache);
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // One lean line per request: never cookies or the session id, and no headers (about 1 KB per
      // line, which cost a quarter of the throughput).
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          upgradeInsecureRequests: config.env === 'production' ? [] : null,
        },
      },
      strictTransportSecurity: config.env === 'production',
    }),
  );
  app.use('/static', express.static(path.join(rootDir, 'public'), { maxAge: config.env === 'production' ? '1d' : 0 }));
  // Every page depends on its cookies (the language, the session): a shared cache must not give a
  // public page cached for one reader's language to another's.
  app.use((_req, res, next) => {
    res.vary('Cookie');
    next();
  });
  app.use(languageMiddleware, baseLocals, errorSummaryLabels);
  // A page view's plain reads may use SQLite's read-only connections (src/db/knex.ts); writes never.
  app.use((req, _res, next) => (req.method === 'GET' || req.method === 'HEAD' ? asPageRead(next) : next()));
  app.use(healthRoutes(deps));

  const sessions = sessionMiddleware(deps);
  const passport = createPassport(deps);
  app.use(
    sessions.middleware,
    saveSessionBeforeRedirect,
    passport.initialize(),
    passport.session(),
    sessionTimeouts(deps),
    userLocals,
    accountGates(deps),
  );
  app.use(unreadCountInHeader(deps));
  // Flat forms only (extended: false): a field is a string or a list of strings, never an object.
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  app.use(refuseForbiddenText);
  app.use(csrfProtection({ secret: config.sessionSecret, secureCookie: config.env === 'production' }));
  // An anonymous visitor's public page is rendered once per version of the public data and kept.
  app.use(keepAnonymousPages(deps));

  const acceptFiles = createUploader(config);
  const signInLimits = createSignInLimits(deps);
  app.use(accountsRoutes(deps, passport, signInLimits));
  app.use(dashboardRoutes(deps));
  app.use(adminUserRoutes(deps));
  app.use(accountSecurityRoutes(deps));
  app.use(signInLimitAdminRoutes(deps));
  app.use(auditScopeAdminRoutes(deps));
  app.use(streetRoutes(deps));
  app.use(organizationRoutes(deps, acceptFiles));
  app.use(bidRoutes(deps, acceptFiles)); // before the calls routes: it adds the bid panel to the call page
  app.use(auditTrailRoutes(deps));
  app.use(notificationRoutes(deps));
  app.use(fundsRoutes(deps));
  app.use(catalogRoutes(deps));
  app.use(reviewRoutes(deps));
  app.use(awardRoutes(deps, acceptFiles));
  app.use(contractRoutes(deps, acceptFiles));
  app.use(evaluationRoutes(deps, acceptFiles));
  app.use(disclosureRoutes(deps));
  app.use(paymentRoutes(deps, acceptFiles));
  app.use(reportRoutes(deps));
  app.use(callRoutes(deps, acceptFiles));

  app.use(notFoundHandler);
  app.use(errorHandler({ showStack: config.showErrorDetails, logger }));
  return { app, close: sessions.close };
}
