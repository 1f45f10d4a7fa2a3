import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { MailboxConfig } from '@app/config';
import { residentIdProblem, toE164 } from '@app/identity';
import { fileMatchesType } from './attachment-type';
import { MailboxSubmissionDto } from './mailbox-submission.dto';

/** One invalid field, as the 400 response lists it. */
export interface FieldError {
  field: string;
  code: string;
  /** Chinese, for the website to show next to the field. */
  message: string;
}

/** An uploaded file before it is stored. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
  /** The upload was cut off at the size limit (multipart forms). */
  truncated?: boolean;
}

/** A submission that passed every check, normalised. */
export interface ValidSubmission {
  mailbox: MailboxConfig;
  name: string;
  /** E.164. */
  phone: string;
  idNumber: string | null;
  email: string | null;
  address: string | null;
  title: string;
  content: string;
  agreePublic: boolean;
  submissionId: string | null;
  attachments: UploadedFile[];
}

/** The order fields are listed in (the form's order), so errors read top to bottom. */
export const FIELD_ORDER = [
  'mailbox',
  'name',
  'phone',
  'idNumber',
  'email',
  'address',
  'title',
  'content',
  'agreePublic',
  'attachments',
  'submissionId',
];

const ID_MESSAGES = {
  format: '身份证号码应为18位（最后一位可以是X）',
  'birth-date': '身份证号码中的出生日期不正确',
  'check-digit': '身份证号码校验位不正确',
} as const;

const TYPE_NAMES: Record<string, string> = {
  'image/jpeg': 'JPG',
  'image/png': 'PNG',
  'application/pdf': 'PDF',
  'image/gif': 'GIF',
};

/**
 * Pure: validates a submission against its mailbox's rules and returns it normalised, or every
 * invalid field (not just the first) with a stable code and a Chinese message.
 */
export function validateSubmission(
  input: Record<string, unknown>,
  files: UploadedFile[],
  mailboxes: ReadonlyMap<string, MailboxConfig>,
): { ok: true; value: ValidSubmission } | { ok: false; errors: FieldError[] } {
  const plain = prepare(input);
  const dto = plainToInstance(MailboxSubmissionDto, plain, { enableImplicitConversion: false });
  const errors: FieldError[] = validateSync(dto, {
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
  }).flatMap(toFieldErrors);
  const failed = new Set(errors.map((e) => e.field));
  const add = (field: string, code: string, message: string) => {
    if (!failed.has(field)) errors.push({ field, code, message });
    failed.add(field);
  };

  const mailbox = typeof dto.mailbox === 'string' ? mailboxes.get(dto.mailbox) : undefined;
  if (!failed.has('mailbox') && !mailbox) add('mailbox', 'mailbox-unknown', '所选信箱不存在');
  const phone = typeof dto.phone === 'string' ? toE164(dto.phone) : null;
  if (!phone) add('phone', 'phone-invalid', '请填写正确的手机号码或固定电话（含区号）');
  const idNumber =
    typeof dto.idNumber === 'string' ? dto.idNumber.normalize('NFKC').toUpperCase() : null;
  if (idNumber) {
    const problem = residentIdProblem(idNumber);
    if (problem) add('idNumber', `id-${problem}`, ID_MESSAGES[problem]);
  } else if (mailbox?.requireIdNumber) {
    add('idNumber', 'id-required', '本信箱实行实名制，请填写身份证号码');
  }
  if (dto.attachments !== undefined) add('attachments', 'attachment-invalid', '附件格式不正确');
  if (mailbox) {
    const limits = mailbox.attachments;
    if (files.length > limits.maxFiles) {
      add(
        'attachments',
        'attachment-too-many',
        limits.maxFiles === 0 ? '本信箱不接受附件' : `附件不能超过${limits.maxFiles}个`,
      );
    }
    for (const f of files) {
      if (f.truncated || f.data.length > limits.maxBytes) {
        add('attachments', 'attachment-too-large', `附件“${f.filename}”超过${mb(limits.maxBytes)}`);
      } else if (!limits.types.includes(f.contentType) || !fileMatchesType(f.contentType, f.data)) {
        const allowed = limits.types.map((t) => TYPE_NAMES[t] ?? t).join('、');
        add(
          'attachments',
          'attachment-type',
          `附件“${f.filename}”的类型不允许，只能上传${allowed}`,
        );
      }
    }
  }
  if (errors.length > 0 || !mailbox || !phone) {
    return { ok: false, errors: sortErrors(errors) };
  }
  return {
    ok: true,
    value: {
      mailbox,
      name: dto.name,
      phone,
      idNumber,
      email: dto.email ?? null,
      address: dto.address ?? null,
      title: dto.title,
      content: dto.content,
      agreePublic: dto.agreePublic,
      submissionId: dto.submissionId ?? null,
      attachments: files,
    },
  };
}

/**
 * Form posts carry only text: blanks mean "not given", the publication choice arrives as a word.
 * Leading and trailing whitespace is not part of any field.
 */
function prepare(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(input)) {
    // Every field is a scalar. An object or list (JSON) fails its type check as an empty object:
    // handed to class-transformer as it is, a nested `constructor` key made it throw (a 500).
    let value: unknown = typeof raw === 'string' ? raw.trim() : isStructured(raw) ? {} : raw;
    if (value === '') continue;
    if (key === 'agreePublic' && typeof value === 'string') {
      const v = value.toLowerCase();
      if (['true', 'yes', 'on', '1', '同意'].includes(v)) value = true;
      else if (['false', 'no', 'off', '0', '不同意'].includes(v)) value = false;
    }
    out[key] = value;
  }
  return out;
}

function isStructured(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

function toFieldErrors(e: ValidationError): FieldError[] {
  const [name, message] = Object.entries(e.constraints ?? {})[0] ?? [];
  if (!name) return [];
  if (name === 'whitelistValidation') {
    return [{ field: e.property, code: 'unknown-field', message: `不允许的字段：${e.property}` }];
  }
  const code = (e.contexts?.[name] as { code?: string } | undefined)?.code ?? 'invalid';
  return [{ field: e.property, code, message: message ?? '格式不正确' }];
}

function sortErrors(errors: FieldError[]): FieldError[] {
  const rank = (f: string) => {
    const i = FIELD_ORDER.indexOf(f);
    return i < 0 ? FIELD_ORDER.length : i;
  };
  return [...errors].sort((a, b) => rank(a.field) - rank(b.field));
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Math.round((bytes / 1024 / 1024) * 10) / 10}MB`
    : `${Math.ceil(bytes / 1024)}KB`;
}
