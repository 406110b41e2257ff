import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { once } from '../../web/once';
import { InvalidState, NotFound } from '../../web/errors';
import { submitForm } from '../../web/submit';
import { flash } from '../../web/flash';
import { formValues, type FormValues } from '../../web/forms';
import { sendStoredFile } from '../../files/storage';
import { filesToChooseAgain } from '../../files/uploads';
import { ALLOWED_EXTENSIONS } from '../../files/signatures';
import { fenToInput } from '../../shared/money';
import { pageNumber } from '../../shared/pagination';
import { findCall, findCallRow, type CallView } from '../calls';
import { biddingWindow, canReadBid, isOwnBid } from './policy';
import {
  activeBidOf,
  bidFiles,
  budgetLines,
  findBidByRef,
  findBidFile,
  isSealed,
  organizationBids,
  type BidRow,
} from './queries';
import { amountField, BUDGET_ROWS, FILE_FIELDS, itemField, parseBidForm, translateProblems } from './schemas';
import {
  assertCanBidOn,
  createBid,
  priceLimitFen,
  recordFileRead,
  removeBidFile,
  updateBid,
  withdrawBid,
  type UploadedByField,
} from './service';

import { pathId as idParam } from '../../web/path-id';

/** The organization's bid pages: start, edit, submit, withdraw, attachments, and the bid itself. */
export function bidHandlers(deps: AppDeps) {
  /** A call bidders can see (not a draft); anything else is not found. */
  async function loadCall(req: Request): Promise<CallView> {
    const call = await findCall(deps.db, idParam(req.params.callId));
    if (!call || call.status === 'draft') throw new NotFound();
    return call;
  }

  /** The user's own bid, with its call. Any other bid is not found, like one that does not exist. */
  async function loadOwn(req: Request): Promise<{ bid: BidRow; call: CallView }> {
    const bid = await findBidByRef(deps.db, req.params.bidRef);
    if (!bid || !isOwnBid(req.user!, bid)) throw new NotFound();
    return { bid, call: (await findCall(deps.db, bid.call_id))! };
  }

  /** A bid the user may read (see policy.canReadBid): before the deadline only its own organization. */
  async function loadReadable(req: Request): Promise<{ bid: BidRow; call: CallView }> {
    const bid = await findBidByRef(deps.db, req.params.bidRef);
    const call = bid && (await findCall(deps.db, bid.call_id));
    if (!bid || !call || !(await canReadBid(deps.db, req.user!, bid, call, deps.clock.now()))) throw new NotFound();
    return { bid, call };
  }

  function valuesOf(bid: BidRow, lines: { item: string; amount_fen: number }[]): FormValues {
    const v: FormValues = {
      servicePlan: bid.service_plan ?? '',
      staffing: bid.staffing ?? '',
      schedule: bid.schedule ?? '',
      expectedOutcomes: bid.expected_outcomes ?? '',
      price: bid.price_fen === null ? '' : fenToInput(bid.price_fen),
      matchingFunds: bid.matching_funds_fen ? fenToInput(bid.matching_funds_fen) : '',
    };
    lines.forEach((l, i) => {
      v[itemField(i + 1)] = l.item;
      v[amountField(i + 1)] = fenToInput(l.amount_fen);
    });
    return v;
  }

  async function renderForm(
    req: Request,
    res: Response,
    call: CallView,
    bid: BidRow | null,
    status: number,
    locals: { values: FormValues; errors?: Record<string, string> },
  ) {
    res.status(status).render('bids/form', {
      title: req.t(bid ? 'bids.form.editTitle' : 'bids.form.newTitle'),
      call,
      bid,
      files: bid ? await bidFiles(deps.db, bid.id) : [],
      limitFen: priceLimitFen(call),
      rows: BUDGET_ROWS,
      itemField,
      amountField,
      fileFields: FILE_FIELDS,
      allowed: ALLOWED_EXTENSIONS.join(', '),
      maxMb: Math.round(deps.config.uploadMaxBytes / 1024 / 1024),
      errors: {},
      ...locals,
    });
  }

  async function newForm(req: Request, res: Response) {
    const call = await loadCall(req);
    const active = await activeBidOf(deps.db, call.id, req.user!.organizationId!);
    if (active) return res.redirect(303, `/bids/${active.ref}/edit`);
    await assertCanBidOn(deps.db, req.user!, call, deps.clock.now());
    await renderForm(req, res, call, null, 200, { values: {} });
  }

  async function editForm(req: Request, res: Response) {
    const { bid, call } = await loadOwn(req);
    if (bid.status === 'withdrawn') throw new InvalidState('bids.errors.withdrawn');
    await assertCanBidOn(deps.db, req.user!, call, deps.clock.now());
    await renderForm(req, res, call, bid, 200, { values: valuesOf(bid, await budgetLines(deps.db, bid.id)) });
  }

  /** Parses the multipart form (files already held in memory by the route's uploader) and saves. */
  async function save(req: Request, res: Response, call: CallView, bid: BidRow | null) {
    const values = formValues(req.body);
    // Time first: after the deadline nothing about a bid changes, whatever the form holds.
    await assertCanBidOn(deps.db, req.user!, await findCallRow(deps.db, call.id).then((c) => c!), deps.clock.now());
    if (bid && bid.status === 'withdrawn') throw new InvalidState('bids.errors.withdrawn');
    await submitForm(req, res, {
      again: ({ status, errors }) => {
        // Chosen attachments are not kept by a refused form: each file field says which to choose again.
        for (const [fieldName, names] of Object.entries(filesToChooseAgain(req)))
          errors[fieldName] ??= req.t('uploads.chooseAgain', { names: names.join(req.lang === 'en' ? ', ' : '、') });
        return renderForm(req, res, call, bid, status, { values, errors });
      },
      uploadField: 'proposal',
      parse: (body) => {
        const form = parseBidForm(body);
        return form.ok ? form : { ok: false, errors: translateProblems(req.t, form.problems), values };
      },
      // The shared storage refused a file's content (a PNG named .pdf): its message names the allowed types.
      messageParams: { allowed: ALLOWED_EXTENSIONS.join(', ') },
      run: async (data) => {
        const files = (req.files ?? {}) as UploadedByField;
        if (bid) {
          const outcome = await updateBid(deps, actorOf(req), req.user!, bid.id, data, files);
          return { redirect: `/bids/${bid.ref}`, flash: req.t(`bids.flash.${outcome}`) };
        }
        const ref = await once(req, deps.db, 'bids.create', (actor) =>
          createBid(deps, actor, req.user!, call.id, data, files),
        );
        return {
          redirect: `/bids/${ref}`,
          flash: req.t(data.intent === 'submit' ? 'bids.flash.submitted' : 'bids.flash.draftSaved'),
        };
      },
    });
  }

  async function create(req: Request, res: Response) {
    return save(req, res, await loadCall(req), null);
  }

  async function update(req: Request, res: Response) {
    const { bid, call } = await loadOwn(req);
    return save(req, res, call, bid);
  }

  async function withdraw(req: Request, res: Response) {
    const { bid } = await loadOwn(req);
    await withdrawBid(deps, actorOf(req), req.user!, bid.id);
    flash(req, 'success', req.t('bids.flash.withdrawn'));
    res.redirect(303, `/bids/${bid.ref}`);
  }

  async function removeFile(req: Request, res: Response) {
    const { bid } = await loadOwn(req);
    await removeBidFile(deps, actorOf(req), req.user!, bid.id, String(req.params.fileRef));
    flash(req, 'success', req.t('bids.flash.fileRemoved'));
    res.redirect(303, `/bids/${bid.ref}/edit`);
  }

  async function show(req: Request, res: Response) {
    const { bid, call } = await loadReadable(req);
    const now = deps.clock.now();
    const [lines, files] = await Promise.all([budgetLines(deps.db, bid.id), bidFiles(deps.db, bid.id)]);
    const own = isOwnBid(req.user!, bid);
    const open = biddingWindow(call, now) === 'open';
    res.render('bids/show', {
      title: req.t('bids.show.title', { call: call.title }),
      bid,
      call,
      lines,
      files,
      linesTotal: lines.reduce((s, l) => s + l.amount_fen, 0),
      canChange: own && open && bid.status !== 'withdrawn',
      canStartAgain:
        own && open && bid.status === 'withdrawn' && !(await activeBidOf(deps.db, call.id, bid.organization_id)),
      sealed: isSealed(call, now),
      own,
    });
  }

  async function download(req: Request, res: Response) {
    const { bid, call } = await loadReadable(req);
    const file = await findBidFile(deps.db, bid.id, req.params.fileRef);
    if (!file) throw new NotFound();
    if (!isOwnBid(req.user!, bid)) await recordFileRead(deps, actorOf(req), bid, call, file);
    await sendStoredFile(res, deps.config.uploadDir, { ...file, id: file.file_id, uploaded_by: null });
  }

  async function mine(req: Request, res: Response) {
    const page = await organizationBids(deps.db, req.user!.organizationId!, pageNumber(req.query.page));
    const now = deps.clock.now();
    res.render('bids/mine', {
      title: req.t('bids.mine.title'),
      page,
      query: '',
      isClosed: (closesAt: string) => now.toISOString() >= closesAt,
    });
  }

  return { newForm, editForm, create, update, withdraw, removeFile, show, download, mine };
}
