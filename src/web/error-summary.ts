import type { RequestHandler, Response } from 'express';

/**
 * The error summary names the field of each message ("项目名称：此项为必填项"), so that eight "此项为必填项"
 * in a row say which eight fields they are. The summary is drawn before the form, so it cannot know the
 * labels the field partials are about to write; instead, on a page that has a summary (a refused form, the
 * only pages that carry `data-error-field`), each entry takes the text of the label (or fieldset legend)
 * of the field it links to, from the same page. Every form drawn with the field partials gets this without
 * a word of its own; an entry whose field has no label on the page keeps its message alone.
 */
export function labelErrorSummary(html: string, lang: string): string {
  const separator = lang === 'en' ? ': ' : '：';
  return html.replace(
    /<a href="#field-([\w-]+)" data-error-field>([\s\S]*?)<\/a>/g,
    (whole, key: string, message: string) => {
      const label = labelOf(html, key);
      return label
        ? `<a href="#field-${key}" data-error-field><span class="error-field">${label}</span>${separator}${message}</a>`
        : whole;
    },
  );
}

function labelOf(html: string, key: string): string | null {
  const found =
    new RegExp(`<label for="field-${key}"[^>]*>([\\s\\S]*?)</label>`).exec(html) ??
    new RegExp(`id="field-${key}"[^>]*>\\s*<legend[^>]*>([\\s\\S]*?)</legend>`).exec(html);
  // The label's text is already escaped in the page; only its markup (a required mark's <span>) goes.
  const text = found?.[1].replace(/<[^>]*>/g, '').trim();
  return text || null;
}

/** Wraps res.render: a page with an error summary gets its entries named (see labelErrorSummary). */
export const errorSummaryLabels: RequestHandler = (req, res, next) => {
  const render = res.render.bind(res) as (...args: unknown[]) => void;
  res.render = ((view: string, options?: unknown, callback?: unknown) => {
    if (typeof options === 'function') [callback, options] = [options, undefined];
    if (typeof callback === 'function') return render(view, options ?? {}, callback);
    render(view, options ?? {}, (err: Error | null, html: string) => {
      if (err) return req.next?.(err);
      res.send(html.includes('data-error-field') ? labelErrorSummary(html, req.lang) : html);
    });
  }) as Response['render'];
  next();
};
