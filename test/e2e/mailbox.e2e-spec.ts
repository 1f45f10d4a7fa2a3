import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { petitionEventProblems, type PetitionEvent } from '@app/contracts';
import { launchChromium, readJsonl, startStack, type Stack } from '@app/testing';
import { queryCodeFor } from '../../apps/gateway/src/channels/mailbox/query-code';
import { gatewayHeaders, gatewayMessage } from '../fixtures/sms-gateway/push';
import {
  TINY_PNG,
  mailboxLetter,
  residentId,
  residentIdWithBadCheck,
} from '../fixtures/mailbox/letters';

const QUERY_SECRET = 'mailbox-e2e-query-code-secret';
const SMS_SECRET = 'mailbox-e2e-sms-secret-000000';

interface Receipt {
  petitionId?: string;
  queryCode?: string;
  duplicate?: boolean;
  error?: {
    code: string;
    reason?: string;
    fields?: { field: string; code: string; message: string }[];
  };
}

/** The leader mailbox through the real stack: website API, the citizen's page in a real browser. */
describe('leader mailbox, end to end', () => {
  let stack: Stack;
  let stateDir: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'gateway-state-'));
    stack = await startStack({
      gatewayEnv: {
        GATEWAY_STATE_DIR: stateDir,
        MAILBOX_QUERY_CODE_SECRET: QUERY_SECRET,
        MAILBOX_RATE_BURST: '5',
        MAILBOX_RATE_PER_HOUR: '1',
        // Each test speaks from its own address (X-Forwarded-For), so rate buckets stay apart.
        TRUST_PROXY: 'true',
        SMS_GATEWAY_ZHONGXIAN_SECRET: SMS_SECRET,
      },
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function post(
    body: RequestInit['body'],
    headers: Record<string, string>,
    client: string,
  ): Promise<{ status: number; json: Receipt; headers: Headers }> {
    const res = await fetch(`${stack.url}/channels/mailbox`, {
      method: 'POST',
      headers: { 'x-forwarded-for': client, ...headers },
      body,
    });
    return { status: res.status, json: (await res.json()) as Receipt, headers: res.headers };
  }

  const postJson = (letter: Record<string, unknown>, client: string) =>
    post(JSON.stringify(letter), { 'content-type': 'application/json' }, client);

  function eventsFor(petitionId: string | undefined): PetitionEvent[] {
    return stack.events.json<PetitionEvent>().filter((e) => e.petitionId === petitionId);
  }

  it('accepts a JSON letter with a tracking number and query code; a re-post is the same letter', async () => {
    const letter = mailboxLetter();
    const first = await postJson(letter, '203.0.113.1');
    expect(first.status).toBe(201);
    expect(first.json.duplicate).toBe(false);
    const petitionId = first.json.petitionId;
    expect(first.json.queryCode).toBe(queryCodeFor(String(petitionId), QUERY_SECRET));
    const again = await postJson({ ...letter, name: '王先生' }, '203.0.113.1');
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ petitionId, queryCode: first.json.queryCode, duplicate: true });

    await stack.events.waitFor(() => eventsFor(petitionId).length > 0);
    await stack.events.settle();
    const events = eventsFor(petitionId);
    expect(events).toHaveLength(1);
    expect(petitionEventProblems(events[0])).toEqual([]);
    expect(events[0]).toMatchObject({
      channel: 'mailbox',
      provider: 'web',
      recipient: { id: 'zhongxian-county-head', name: '忠县县长' },
      petitioner: {
        name: '王建国',
        phone: '+8613912345678',
        email: 'wang.jianguo@example.com',
        anonymous: false,
      },
      subject: letter.title,
      original: letter.content,
      meta: { mailboxId: 'zhongxian-county-head', agreePublic: false },
    });
  });

  it('takes a classic urlencoded form post, and a re-post with the same submissionId', async () => {
    const form = new URLSearchParams({
      ...(mailboxLetter({ title: '学校门口占道摆摊', agreePublic: '同意' }) as Record<
        string,
        string
      >),
      submissionId: 'site-form-000123',
    }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const first = await post(form, headers, '203.0.113.2');
    const again = await post(form, headers, '203.0.113.2');
    expect(first.status).toBe(201);
    expect(again.json).toMatchObject({ petitionId: first.json.petitionId, duplicate: true });
    await stack.events.waitFor(() => eventsFor(first.json.petitionId).length > 0);
    expect(eventsFor(first.json.petitionId)[0]).toMatchObject({
      idempotencyKey: expect.stringMatching(
        /^mailbox:web:zhongxian-county-head:s:site-form-000123:[0-9a-f]{16}$/,
      ) as unknown,
      meta: { agreePublic: true, submissionId: 'site-form-000123' },
    });
  });

  // Issue 24: a different letter under a used submissionId got 200 duplicate with the first
  // letter's petition id and query code.
  it('refuses another letter under a used submissionId (409), on the API and the page', async () => {
    const letter = mailboxLetter({ title: '路灯不亮', submissionId: 'reused-id-0001' });
    const first = await postJson(letter, '203.0.113.10');
    expect(first.status).toBe(201);
    const again = await postJson(letter, '203.0.113.10');
    expect([again.status, again.json.petitionId]).toEqual([200, first.json.petitionId]);

    const other = mailboxLetter({
      name: '张三',
      phone: '13800138000',
      idNumber: residentId('11010519491231002'),
      title: '别人的信',
      content: '县长您好：我是另一位市民，想问问我们村道路硬化的进度。',
      submissionId: 'reused-id-0001',
    });
    const reused = await postJson(other, '203.0.113.11');
    expect(reused.status).toBe(409);
    expect(reused.json).toEqual({
      error: { code: 'submission-id-reused', message: expect.any(String) },
    });
    const page = await fetch(`${stack.url}/mailbox/zhongxian-county-head`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': '203.0.113.12',
      },
      body: new URLSearchParams(other as Record<string, string>).toString(),
    });
    const html = await page.text();
    expect(page.status).toBe(409);
    expect(html).not.toContain(String(first.json.petitionId));
    expect(html).not.toContain(String(first.json.queryCode));

    await stack.events.waitFor(() => eventsFor(first.json.petitionId).length > 0);
    await stack.events.settle(500);
    expect(eventsFor(first.json.petitionId)).toHaveLength(1);
    expect(stack.events.json<PetitionEvent>().some((e) => e.subject === '别人的信')).toBe(false);
  });

  it('takes a letter as long as the longest real message, posted as a browser posts a form, and publishes it whole', async () => {
    // Read at run time from ../shared/data (never copied into the repository).
    const longest = ['messages_with_likes.jsonl', 'messages_unlabeled.jsonl']
      .flatMap((file) => readJsonl<{ title?: string; text?: string }>(file))
      .reduce((a, b) => ((b.text ?? '').length > (a.text ?? '').length ? b : a));
    const content = longest.text ?? '';
    expect(content.length).toBeGreaterThan(5000);
    const form = new URLSearchParams({
      ...(mailboxLetter({ title: longest.title ?? '长信', content }) as Record<string, string>),
    }).toString();
    const res = await post(
      form,
      { 'content-type': 'application/x-www-form-urlencoded' },
      '203.0.113.9',
    );
    expect(res.status).toBe(201);
    await stack.events.waitFor(() => eventsFor(res.json.petitionId).length > 0);
    const [event] = eventsFor(res.json.petitionId);
    expect(petitionEventProblems(event)).toEqual([]);
    expect(event?.original).toBe(content);
  });

  it('stores a multipart attachment durably and describes it in the event', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries(mailboxLetter({ title: '违章搭建照片' })))
      form.append(k, String(v));
    form.append('attachments', new Blob([TINY_PNG], { type: 'image/png' }), '现场照片.png');
    const res = await post(form, {}, '203.0.113.3');
    expect(res.status).toBe(201);
    await stack.events.waitFor(() => eventsFor(res.json.petitionId).length > 0);
    const [event] = eventsFor(res.json.petitionId);
    expect(petitionEventProblems(event)).toEqual([]);
    const [attachment] = event?.attachments ?? [];
    expect(attachment).toMatchObject({
      filename: '现场照片.png',
      contentType: 'image/png',
      size: TINY_PNG.length,
    });
    const hex = String(attachment?.sha256);
    expect(existsSync(join(stateDir, 'blobs', 'sha256', hex.slice(0, 2), hex))).toBe(true);
  });

  it('lists every invalid field with a code and a Chinese message, and publishes nothing', async () => {
    const res = await postJson(
      mailboxLetter({
        idNumber: residentIdWithBadCheck(),
        phone: '123',
        content: '太短了',
        title: 'x-invalid-letter',
        spam: 1,
      }),
      '203.0.113.4',
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toEqual({
      code: 'validation-failed',
      message: expect.any(String),
      fields: [
        {
          field: 'phone',
          code: 'phone-invalid',
          message: '请填写正确的手机号码或固定电话（含区号）',
        },
        { field: 'idNumber', code: 'id-check-digit', message: '身份证号码校验位不正确' },
        { field: 'content', code: 'content-length', message: '信件内容应为10至20000个字' },
        { field: 'spam', code: 'unknown-field', message: '不允许的字段：spam' },
      ],
    });
    await stack.events.settle(500);
    expect(stack.events.json<PetitionEvent>().some((e) => e.subject === 'x-invalid-letter')).toBe(
      false,
    );
  });

  it('answers 429 with a machine-readable reason once a client exceeds its budget', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof postJson>> | undefined;
    for (let i = 0; i < 6; i++) {
      last = await postJson(
        mailboxLetter({ title: `限流测试${i}`, content: `限流测试内容，第${i}封信，内容足够长。` }),
        '203.0.113.5',
      );
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    expect(last?.json.error).toMatchObject({
      code: 'rate-limited',
      reason: 'too-many-submissions',
    });
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client is unaffected.
    expect((await postJson(mailboxLetter({ title: '另一位市民' }), '203.0.113.6')).status).toBe(
      201,
    );
  });

  it('keeps raw bodies intact for signed channels now that multipart is registered', async () => {
    const raw = JSON.stringify(gatewayMessage({ id: 'mailbox-e2e-sms' }));
    const res = await fetch(`${stack.url}/channels/sms/gateway`, {
      method: 'POST',
      headers: gatewayHeaders(raw, { gatewayId: 'zhongxian-modem-pool', secret: SMS_SECRET }),
      body: raw,
    });
    expect(res.status).toBe(200);
  });

  describe('the page, in a real browser', () => {
    beforeAll(async () => {
      browser = await launchChromium();
    });

    it('shows field errors next to the fields, keeps the values escaped, runs no injected script', async () => {
      const page = await browser!.newPage();
      await page.goto(`${stack.url}/mailbox/zhongxian-county-head`);
      expect(await page.title()).toBe('忠县县长信箱');
      const hostileName = '<script>window.__pwned=1</script>';
      const hostileTitle = '<img src=x onerror="window.__pwned=2">页面测试';
      await page.getByLabel('姓名').fill(hostileName);
      await page.getByLabel('联系电话').fill('13912345678');
      await page.getByLabel('身份证号码').fill(residentIdWithBadCheck());
      await page.getByLabel('标题').fill(hostileTitle);
      await page.getByLabel('信件内容').fill('太短');
      await page.getByLabel('不同意公开').check();
      await page.getByRole('button', { name: '提交' }).click();
      await page.waitForLoadState();
      expect(await page.locator('#idNumber-error').textContent()).toBe('身份证号码校验位不正确');
      expect(await page.locator('#content-error').textContent()).toBe('信件内容应为10至20000个字');
      expect(await page.locator('#name-error').count()).toBe(0);
      expect(await page.getByLabel('姓名').inputValue()).toBe(hostileName);
      expect(await page.getByLabel('标题').inputValue()).toBe(hostileTitle);
      expect(await page.getByLabel('不同意公开').isChecked()).toBe(true);
      expect(
        await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
      ).toBeUndefined();
      await page.screenshot({ path: '/tmp/mailbox-form-errors.png', fullPage: true });
      await page.close();
    });

    it('submits a letter and shows the receipt with tracking number and query code', async () => {
      const page = await browser!.newPage();
      await page.goto(`${stack.url}/mailbox/zhongxian-county-head`);
      await page.getByLabel('姓名').fill('李秀英');
      await page.getByLabel('联系电话').fill('023-5456 1234');
      await page.getByLabel('身份证号码').fill(residentId('50023319750615002'));
      await page.getByLabel('标题').fill('车库收费标准不合理');
      await page
        .getByLabel('信件内容')
        .fill(
          '县长您好：我们小区物业今年把车库管理费从每月一百元涨到三百元，没有公示也没有征求业主意见，请相关部门核查。',
        );
      await page.getByLabel('同意公开', { exact: true }).check();
      await page
        .locator('#attachments')
        .setInputFiles({ name: '收费通知.png', mimeType: 'image/png', buffer: TINY_PNG });
      await page.getByRole('button', { name: '提交' }).click();
      await page.waitForSelector('#petition-id');
      const petitionId = (await page.locator('#petition-id').textContent()) ?? '';
      const queryCode = (await page.locator('#query-code').textContent()) ?? '';
      expect(petitionId).toMatch(/^XF-[0-9A-Z]{13}$/);
      expect(queryCode).toBe(queryCodeFor(petitionId, QUERY_SECRET));
      await page.screenshot({ path: '/tmp/mailbox-receipt.png', fullPage: true });

      await page.close();

      await stack.events.waitFor(() => eventsFor(petitionId).length > 0);
      await stack.events.settle();
      const events = eventsFor(petitionId);
      expect(events).toHaveLength(1);
      expect(petitionEventProblems(events[0])).toEqual([]);
      expect(events[0]).toMatchObject({
        petitioner: { name: '李秀英', phone: '+862354561234' },
        subject: '车库收费标准不合理',
        attachments: [{ filename: '收费通知.png', size: TINY_PNG.length }],
        meta: { agreePublic: true },
      });
    });
  });
});
