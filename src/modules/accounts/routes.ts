import type { PassportStatic } from 'passport';
import type { AppDeps } from '../../deps';
import { routeTable } from '../../web/routes';
import type { SignInLimits } from '../../web/signin-limits';
import * as handlers from './handlers';

export function accountsRoutes(deps: AppDeps, passport: PassportStatic, limits: SignInLimits) {
  const h = handlers.create(deps, passport, limits);
  return routeTable([
    { method: 'get', path: '/', access: 'public', handler: h.home },
    { method: 'get', path: '/login', access: 'public', handler: h.loginPage },
    { method: 'post', path: '/login', access: 'public', handler: h.login },
    { method: 'post', path: '/logout', access: 'signedIn', handler: h.logout },
    // A GET: it changes nothing but a cookie, so it needs no CSRF token (and no session for one).
    { method: 'get', path: '/language', access: 'public', handler: h.setLanguage },
    { method: 'post', path: '/language', access: 'public', handler: h.setLanguage },
  ]);
}
