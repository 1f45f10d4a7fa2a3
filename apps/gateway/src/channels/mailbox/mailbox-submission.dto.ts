import {
  IsBoolean,
  IsDefined,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';

/**
 * Longest letter accepted, in characters. Real letters run long: the public board data's longest
 * message is 9,023 characters, and a letter cut to fit a form loses the details an office needs
 * to act on it. 20,000 CJK characters are ~60 KB, far inside the request body limit.
 */
export const MAX_CONTENT_CHARS = 20_000;

/** What each failed constraint is called in responses, and the Chinese text a website shows. */
const c = (code: string, message: string) => ({ message, context: { code } });

/**
 * Decorators nearest the property run first (stopAtFirstError reports the type before the length).
 *
 * A leader-mailbox submission as websites post it (JSON or form fields). Our own form, so strict:
 * unknown fields are refused. Checks class-validator cannot express (phone numbers, GB 11643 ID
 * numbers, the target mailbox, attachments) are in mailbox-submission.validator.ts.
 */
export class MailboxSubmissionDto {
  @IsDefined(c('mailbox-required', '请选择信箱'))
  @IsString(c('mailbox-unknown', '所选信箱不存在'))
  mailbox!: string;

  @IsDefined(c('name-required', '请填写姓名'))
  @MaxLength(50, c('name-too-long', '姓名不能超过50个字'))
  @IsString(c('name-invalid', '姓名格式不正确'))
  name!: string;

  @IsDefined(c('phone-required', '请填写联系电话'))
  @IsString(c('phone-invalid', '请填写正确的手机号码或固定电话（含区号）'))
  phone!: string;

  @IsOptional()
  @IsString(c('id-format', '身份证号码应为18位'))
  idNumber?: string;

  @IsOptional()
  @MaxLength(254, c('email-invalid', '电子邮箱格式不正确'))
  @Matches(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, c('email-invalid', '电子邮箱格式不正确'))
  @IsString(c('email-invalid', '电子邮箱格式不正确'))
  email?: string;

  @IsOptional()
  @MaxLength(200, c('address-too-long', '联系地址不能超过200个字'))
  @IsString(c('address-invalid', '联系地址格式不正确'))
  address?: string;

  @IsDefined(c('title-required', '请填写标题'))
  @MaxLength(100, c('title-too-long', '标题不能超过100个字'))
  @IsString(c('title-invalid', '标题格式不正确'))
  title!: string;

  @IsDefined(c('content-required', '请填写信件内容'))
  @Length(10, MAX_CONTENT_CHARS, c('content-length', `信件内容应为10至${MAX_CONTENT_CHARS}个字`))
  @IsString(c('content-invalid', '信件内容格式不正确'))
  content!: string;

  @IsDefined(c('publish-required', '请选择是否同意公开'))
  @IsBoolean(c('publish-invalid', '请选择是否同意公开'))
  agreePublic!: boolean;

  /** Set by the website (or our page) per form: a re-post of the same form is the same letter. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{8,64}$/, c('submission-id-invalid', 'submissionId 格式不正确'))
  @IsString(c('submission-id-invalid', 'submissionId 格式不正确'))
  submissionId?: string;

  /** Checked separately (count, size, type); JSON posts give `{ filename, contentType, contentBase64 }`. */
  @IsOptional()
  attachments?: unknown;
}
