import { labelErrorSummary } from '../../src/web/error-summary';

const summary = (...keys: string[]) =>
  `<div class="error-summary"><ul>${keys.map((k) => `<li><a href="#field-${k}" data-error-field>此项为必填项</a></li>`).join('')}</ul></div>`;

describe('the error summary names the field of each message', () => {
  it('by the label of the input it links to, or the legend of its fieldset', () => {
    const html =
      summary('title', 'amounts') +
      '<label for="field-title">项目名称<span class="required-mark">（必填）</span></label>' +
      '<fieldset class="field" id="field-amounts" tabindex="-1">\n  <legend>资金来源</legend></fieldset>';
    const out = labelErrorSummary(html, 'zh-CN');
    expect(out).toContain('<span class="error-field">项目名称（必填）</span>：此项为必填项');
    expect(out).toContain('<span class="error-field">资金来源</span>：此项为必填项');
  });

  it('with English punctuation in English, and leaves a message whose field has no label alone', () => {
    const html = summary('title', 'ghost') + '<label for="field-title">Title</label>';
    const out = labelErrorSummary(html, 'en');
    expect(out).toContain('<span class="error-field">Title</span>: 此项为必填项');
    expect(out).toContain('<a href="#field-ghost" data-error-field>此项为必填项</a>');
  });
});
