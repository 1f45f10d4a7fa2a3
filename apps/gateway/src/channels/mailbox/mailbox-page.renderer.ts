import type { MailboxConfig } from '@app/config';
import { MAX_CONTENT_CHARS } from './mailbox-submission.dto';
import { FIELD_ORDER, type FieldError } from './mailbox-submission.validator';

/** The form's own inputs: every submission field but the mailbox (in the URL) and the hidden id. */
const FIELDS_WITH_INPUTS: ReadonlySet<string> = new Set(
  FIELD_ORDER.filter((f) => f !== 'mailbox' && f !== 'submissionId'),
);

/** Everything user-supplied goes through this before it reaches HTML (text and attribute values). */
export function escapeHtml(value: string | number | null | undefined): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** No scripts at all; inline styles only; the form may post only back to us. */
export const PAGE_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const STYLE = `
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;background:#f4f5f7;color:#222}
main{max-width:720px;margin:0 auto;padding:24px 16px}
h1{font-size:24px;margin:0 0 4px;color:#b0171f}
.intro{color:#555;margin:0 0 20px}
form,.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:20px}
.field{margin-bottom:16px}
label,.legend{display:block;font-weight:bold;margin-bottom:6px}
.req{color:#b0171f}
input[type=text],input[type=tel],input[type=email],textarea{width:100%;box-sizing:border-box;padding:8px;font-size:16px;border:1px solid #aaa;border-radius:4px}
textarea{min-height:200px}
.invalid input,.invalid textarea{border-color:#b0171f;background:#fff6f6}
.error{color:#b0171f;margin:6px 0 0;font-size:14px}
.hint{color:#666;font-size:13px;margin:4px 0 0}
.summary{border:2px solid #b0171f;background:#fff6f6;padding:12px 16px;margin-bottom:16px;border-radius:4px}
fieldset{border:0;padding:0;margin:0}
button{background:#b0171f;color:#fff;border:0;border-radius:4px;padding:10px 28px;font-size:16px;cursor:pointer}
.number{font-size:28px;font-weight:bold;letter-spacing:2px;font-family:monospace}
dt{color:#555;margin-top:12px}dd{margin:4px 0 0}
`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>`;
}

export interface FormState {
  mailbox: MailboxConfig;
  values: Record<string, unknown>;
  errors: FieldError[];
  submissionId: string;
}

interface FieldSpec {
  name: string;
  label: string;
  type: 'text' | 'tel' | 'email' | 'textarea';
  required: boolean;
  hint?: string;
  autocomplete?: string;
  maxlength?: number;
}

/** The letter form: a plain HTML form that works without JavaScript, errors next to their fields. */
export function renderForm(state: FormState): string {
  const { mailbox, values, errors } = state;
  const errorOf = new Map<string, string>();
  for (const e of errors) if (!errorOf.has(e.field)) errorOf.set(e.field, e.message);
  const fields: FieldSpec[] = [
    {
      name: 'name',
      label: '姓名',
      type: 'text',
      required: true,
      autocomplete: 'name',
      maxlength: 50,
    },
    {
      name: 'phone',
      label: '联系电话',
      type: 'tel',
      required: true,
      autocomplete: 'tel',
      hint: '手机号码，或含区号的固定电话',
    },
    {
      name: 'idNumber',
      label: '身份证号码',
      type: 'text',
      required: mailbox.requireIdNumber,
      maxlength: 18,
      hint: mailbox.requireIdNumber
        ? '本信箱实行实名制，请填写18位身份证号码'
        : '选填，18位身份证号码',
    },
    { name: 'email', label: '电子邮箱', type: 'email', required: false, autocomplete: 'email' },
    {
      name: 'address',
      label: '联系地址',
      type: 'text',
      required: false,
      autocomplete: 'street-address',
      maxlength: 200,
    },
    {
      name: 'title',
      label: '标题',
      type: 'text',
      required: true,
      maxlength: 100,
      hint: '不超过100个字',
    },
    {
      name: 'content',
      label: '信件内容',
      type: 'textarea',
      required: true,
      maxlength: MAX_CONTENT_CHARS,
      hint: `10至${MAX_CONTENT_CHARS}个字`,
    },
  ];
  const summary =
    errors.length > 0
      ? `<div class="summary" role="alert" id="error-summary"><strong>提交的内容有误，请按提示修改后重新提交：</strong><ul>${errors
          .map((e) => `<li>${escapeHtml(e.message)}</li>`)
          .join('')}</ul></div>`
      : '';
  const rendered = fields
    .map((f) => renderField(f, values[f.name], errorOf.get(f.name)))
    .join('\n');
  const publish = values.agreePublic;
  const publishError = errorOf.get('agreePublic');
  const checked = (v: boolean) =>
    publish === v ||
    publish === String(v) ||
    (v && publish === '同意') ||
    (!v && publish === '不同意')
      ? ' checked'
      : '';
  const limits = mailbox.attachments;
  const attachmentError = errorOf.get('attachments');
  const attachments =
    limits.maxFiles > 0
      ? `<div class="field${attachmentError ? ' invalid' : ''}">
<label for="attachments">附件</label>
<input type="file" id="attachments" name="attachments" multiple accept="${escapeHtml(limits.types.join(','))}"${attachmentError ? ' aria-describedby="attachments-error"' : ''}>
<p class="hint">选填，最多${limits.maxFiles}个，每个不超过${Math.round(limits.maxBytes / 1024 / 1024)}MB</p>
${attachmentError ? `<p class="error" id="attachments-error">${escapeHtml(attachmentError)}</p>` : ''}
</div>`
      : '';
  // Errors of fields without an input of their own (mailbox, submissionId, unknown fields) go on top.
  const other = errors
    .filter((e) => !FIELDS_WITH_INPUTS.has(e.field))
    .map((e) => `<p class="error">${escapeHtml(e.message)}</p>`)
    .join('');
  return page(
    mailbox.title,
    `<h1>${escapeHtml(mailbox.title)}</h1>
<p class="intro">请如实填写，带<span class="req">*</span>的为必填项。提交后您将获得受理编号和查询码，请妥善保存，用于查询办理进度。</p>
${summary}
<form method="post" action="/mailbox/${escapeHtml(encodeURIComponent(mailbox.id))}" enctype="multipart/form-data" accept-charset="utf-8">
<input type="hidden" name="submissionId" value="${escapeHtml(state.submissionId)}">
${rendered}
<fieldset class="field${publishError ? ' invalid' : ''}"${publishError ? ' aria-describedby="agreePublic-error"' : ''}>
<legend class="legend">是否同意公开 <span class="req">*</span></legend>
<label style="display:inline;font-weight:normal"><input type="radio" name="agreePublic" value="true"${checked(true)}> 同意公开</label>
<label style="display:inline;font-weight:normal;margin-left:16px"><input type="radio" name="agreePublic" value="false"${checked(false)}> 不同意公开</label>
${publishError ? `<p class="error" id="agreePublic-error">${escapeHtml(publishError)}</p>` : ''}
</fieldset>
${attachments}
${other}
<button type="submit">提交</button>
</form>`,
  );
}

function renderField(f: FieldSpec, value: unknown, error: string | undefined): string {
  const id = f.name;
  const described = [f.hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const attrs = [
    `id="${id}"`,
    `name="${id}"`,
    f.required ? 'required' : '',
    f.maxlength ? `maxlength="${f.maxlength}"` : '',
    f.autocomplete ? `autocomplete="${f.autocomplete}"` : '',
    described ? `aria-describedby="${described}"` : '',
    error ? 'aria-invalid="true"' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const text = typeof value === 'string' ? value : '';
  const control =
    f.type === 'textarea'
      ? `<textarea ${attrs}>${escapeHtml(text)}</textarea>`
      : `<input type="${f.type}" ${attrs} value="${escapeHtml(text)}">`;
  return `<div class="field${error ? ' invalid' : ''}">
<label for="${id}">${escapeHtml(f.label)}${f.required ? ' <span class="req">*</span>' : ''}</label>
${control}
${f.hint ? `<p class="hint" id="${id}-hint">${escapeHtml(f.hint)}</p>` : ''}
${error ? `<p class="error" id="${id}-error">${escapeHtml(error)}</p>` : ''}
</div>`;
}

/** The receipt: tracking number and query code, to write down. */
export function renderReceipt(
  mailbox: MailboxConfig,
  petitionId: string,
  queryCode: string,
  duplicate: boolean,
): string {
  return page(
    `${mailbox.title} - 提交成功`,
    `<h1>${escapeHtml(mailbox.title)}</h1>
<div class="card" role="status">
<h2>${duplicate ? '这封信已经提交过，无需重复提交' : '您的信件已提交成功'}</h2>
<dl>
<dt>受理编号</dt><dd class="number" id="petition-id">${escapeHtml(petitionId)}</dd>
<dt>查询码</dt><dd class="number" id="query-code">${escapeHtml(queryCode)}</dd>
</dl>
<p>请记下受理编号和查询码，凭二者可查询办理进度。我们将按规定时限办理并答复。</p>
<p><a href="/mailbox/${escapeHtml(encodeURIComponent(mailbox.id))}">再写一封信</a></p>
</div>`,
  );
}

/** A page for what is neither form nor receipt (unknown mailbox, too many submissions, outage). */
export function renderMessage(title: string, text: string): string {
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1><div class="card" role="alert"><p>${escapeHtml(text)}</p></div>`,
  );
}
