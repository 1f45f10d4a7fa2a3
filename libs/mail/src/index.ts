export { parseMail, messageIdsIn } from './mail.parser';
export type { ParsedMail, MailAddress, MailAttachment } from './mail.parser';
export { MailParseError } from './mail-parse.error';
export type { MailParseFailure } from './mail-parse.error';
export { splitMailText } from './quote.stripper';
export type { MailParts } from './quote.stripper';
export { relabelGbCharsets, isGbFamily } from './charset-label.rewriter';
export { automatedReason, isSystemSender } from './automated-mail.detector';
export type { AutomatedReason, HeaderLine } from './automated-mail.detector';
