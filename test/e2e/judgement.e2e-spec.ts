import { Converter } from 'opencc-js';
import type { ClusterAlert, PetitionEvent } from '@app/contracts';
import { petitionEventProblems } from '@app/contracts';
import {
  readJsonl,
  startStack,
  TEST_TWILIO_TOKEN,
  TopicReader,
  twilioInbound,
  type Stack,
  postTwilio,
} from '@app/testing';
import { mailboxLetter, residentId } from '../fixtures/mailbox/letters';

/**
 * The normalizer's judgement, end to end through the gateway and the broker: the person who
 * texts all three hotline numbers is one petition; different people on one matter are one cluster.
 */
describe('judgement, end to end', () => {
  let stack: Stack;
  let clusters: TopicReader;
  let sid = 0;

  beforeAll(async () => {
    stack = await startStack({
      normalizerEnv: { CLUSTER_ALERT_SIZE: '3' },
      // The mailbox needs its query-code secret; each letter names its client (X-Forwarded-For).
      gatewayEnv: { MAILBOX_QUERY_CODE_SECRET: 'judgement-e2e-query-secret', TRUST_PROXY: 'true' },
    });
    clusters = await new TopicReader(stack.brokers, stack.topics.clusters).start();
  });

  afterAll(async () => {
    await clusters.stop();
    await stack.close();
  });

  async function sms(from: string, to: string, body: string): Promise<string> {
    const params = twilioInbound({
      MessageSid: `SM${(++sid).toString(16).padStart(32, 'c')}`,
      From: from,
      To: to,
      Body: body,
    });
    const res = await postTwilio(stack.url, params, { token: TEST_TWILIO_TOKEN });
    expect(res.status).toBe(200);
    return res.petitionId;
  }

  async function eventOf(petitionId: string): Promise<PetitionEvent> {
    await stack.events.waitFor(() =>
      stack.events.json<PetitionEvent>().some((e) => e.petitionId === petitionId),
    );
    const event = stack.events
      .json<PetitionEvent>()
      .find((e) => e.petitionId === petitionId) as PetitionEvent;
    expect(petitionEventProblems(event)).toEqual([]);
    return event;
  }

  it('marks the same text to all three hotline numbers as duplicates of the first', async () => {
    const text =
      '书记您好！我是忠县忠州街道的居民，我们小区旁边的工地每天晚上十一点以后还在施工，噪音太大，老人孩子都睡不着觉，请领导帮忙解决。';
    const first = await sms('+8613700001111', '+8613800000001', text);
    const firstEvent = await eventOf(first);
    const second = await sms(
      '+8613700001111',
      '+8613800000002',
      text.replace('书记您好！', '县长您好！'),
    );
    const third = await sms(
      '+8613700001111',
      '+8613800000003',
      text.replace('书记您好！', '主任您好，'),
    );
    const [e2, e3] = [await eventOf(second), await eventOf(third)];
    expect(firstEvent.dedup).toMatchObject({ outcome: 'new', of: null });
    expect(e2.dedup).toMatchObject({ outcome: 'duplicate', of: first });
    expect(e3.dedup).toMatchObject({ outcome: 'duplicate', of: first });
    // One person, one identity key, and never the phone number itself.
    expect(e2.petitioner.identityKey).toBe(firstEvent.petitioner.identityKey);
    expect(firstEvent.petitioner.identityKey).not.toContain('13700001111');
    // The recipient is whoever owns the number texted.
    expect([firstEvent, e2, e3].map((e) => e.recipient?.id)).toEqual([
      'zhongxian-party-secretary',
      'zhongxian-county-head',
      'zhongxian-petition-office',
    ]);
  });

  it('judges locality, category, urgency, routing and deadlines from the text', async () => {
    const id = await sms(
      '+8613700002222',
      '+8613800000002',
      '奉节县夔门街道一个工地拖欠我们二十多个农民工工资半年了，老板跑了，大家快过年了还拿不到钱，有人说要去堵路。',
    );
    const event = await eventOf(id);
    expect(event.locality).toMatchObject({
      district: '奉节县',
      town: '夔门街道',
      code: '500236003',
      source: 'text',
    });
    expect(event.urgency.flags).toEqual(expect.arrayContaining(['wage-arrears']));
    expect(event.urgency.evidence).toEqual(
      expect.arrayContaining([{ flag: 'wage-arrears', text: expect.any(String) as string }]),
    );
    expect(event.urgency.priority).not.toBe('normal');
    expect(event.classification.category).toBe('劳动和社会保障');
    expect(event.routing.unit).toContain('奉节县');
    expect(Date.parse(event.deadlines.acceptBy)).toBeGreaterThan(Date.parse(event.receivedAt));
    expect(Date.parse(event.deadlines.finishBy)).toBeGreaterThan(
      Date.parse(event.deadlines.acceptBy),
    );
    expect(event.script).toBe('simplified');
  });

  it('places a town several counties share by the channel, with its division code, and says why it is urgent', async () => {
    // 白石镇 is in 忠县 and in 黔江区: the 忠县 county head's number decides. The outage is said
    // the way citizens write it (停水…天, 没水喝), not as a fixed phrase.
    const id = await sms(
      '+8613700005555',
      '+8613800000002',
      '白石镇停水三天了，老人孩子都没水喝，请领导帮忙解决。',
    );
    const event = await eventOf(id);
    expect(event.locality).toMatchObject({
      district: '忠县',
      town: '白石镇',
      code: '500233120',
      source: 'text',
    });
    expect(event.urgency.priority).toBe('high');
    expect(event.urgency.flags).toEqual(['utility-outage']);
    expect(event.urgency.evidence).toEqual([{ flag: 'utility-outage', text: '停水三天' }]);
  });

  it('leaves a resolved matter at normal priority and names the county beside a shared town', async () => {
    const id = await sms(
      '+8613700006666',
      '+8613800000002',
      '綦江区东溪镇工地去年拖欠的工资已经全部结清了，感谢政府。',
    );
    const event = await eventOf(id);
    expect(event.locality).toMatchObject({ district: '綦江区', town: '东溪镇', code: '500110109' });
    expect(event.urgency).toEqual({ priority: 'normal', flags: [], evidence: [] });
  });

  it('reads Traditional text as normal input and records its script', async () => {
    const id = await sms(
      '+8613700003333',
      '+8613800000002',
      '縣長您好，我們村的自來水已經停了一個星期，請儘快派人維修供水管道。',
    );
    const event = await eventOf(id);
    expect(event.script).toBe('traditional');
    expect(event.original).toContain('縣長');
    expect(event.locality.district).toBe('忠县');
    expect(event.locality.source).toBe('channel');
  });

  it('groups different people on one matter in one place and raises one cluster alert', async () => {
    const base =
      '忠县白公街道幸福小区物业公司今年突然把车库停车费从每月一百元涨到三百元，没有开业主大会，也没有公示，业主们都不同意';
    const ids: string[] = [];
    const endings = [
      '，请领导查处。',
      '，希望政府管一管。',
      '，请有关部门调查处理。',
      '，这合理吗？',
    ];
    for (let i = 0; i < 4; i++)
      ids.push(await sms(`+861370000${4440 + i}`, '+8613800000003', base + endings[i]));
    const events = await Promise.all(ids.map((id) => eventOf(id)));
    const clusterIds = new Set(events.map((e) => e.dedup?.clusterId));
    expect(clusterIds.size).toBe(1);
    expect(events.map((e) => e.dedup?.outcome)).toEqual(['new', 'new', 'new', 'new']);
    // Petitions are keyed by tracking number, so they may be judged in any order across
    // partitions: the sizes are 1..4 in some order.
    expect(events.map((e) => e.dedup?.clusterSize).sort()).toEqual([1, 2, 3, 4]);
    await clusters.waitFor((r) => r.length >= 1);
    await clusters.settle();
    const alerts = clusters.json<ClusterAlert>();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ clusterId: [...clusterIds][0], size: 3 });
  });

  it('marks real messages sent again in Traditional, full-width and with a greeting as duplicates', async () => {
    // Real messages (messages_unlabeled.jsonl, read at run time), each resent by the same phone
    // in the form another channel or a retyping gives it.
    const toTraditional = Converter({ from: 'cn', to: 'tw' });
    const fullWidth = (t: string): string =>
      t.replace(/[,.!?:;()0-9A-Za-z]/gu, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    const messages = readJsonl<{ title?: string; text?: string }>('messages_unlabeled.jsonl')
      .map((m) => `${m.title ?? ''}\n${m.text ?? ''}`)
      .filter((t) => t.length >= 100 && t.length <= 1200)
      .slice(0, 5);
    expect(messages).toHaveLength(5);
    let phone = 8000;
    for (const text of messages) {
      const from = `+861371000${++phone}`;
      const first = await sms(from, '+8613800000001', text);
      await eventOf(first);
      const again = await sms(
        from,
        '+8613800000002',
        `尊敬的领导，您好！${fullWidth(toTraditional(text))}`,
      );
      expect((await eventOf(again)).dedup).toMatchObject({ outcome: 'duplicate', of: first });
    }
  });

  it('groups each gold hot issue of the public data (real messages, read at run time) into one cluster', async () => {
    // hot_issue_examples.jsonl: restaurant fumes and noise at one estate (official_1) and forced
    // internships at one college (official_2), posted by different people. Here each message
    // comes from its own phone to one hotline, all at once, so partitions judge them in any order.
    const gold = readJsonl<{ id: string; cluster_id: string }>('hot_issue_examples.jsonl');
    const bodies = new Map(
      readJsonl<{ id: string; title?: string; text?: string }>('messages_with_likes.jsonl').map(
        (m) => [m.id, `${m.title ?? ''}\n${m.text ?? ''}`],
      ),
    );
    let phone = 7000;
    for (const issue of ['official_1', 'official_2']) {
      const texts = [
        ...new Set(gold.filter((g) => g.cluster_id === issue).map((g) => bodies.get(g.id))),
      ].filter((t): t is string => t !== undefined);
      expect(texts.length).toBeGreaterThanOrEqual(5);
      const ids = await Promise.all(
        texts.map((text) => sms(`+861371000${++phone}`, '+8613800000002', text)),
      );
      const events = await Promise.all(ids.map((id) => eventOf(id)));
      expect(events.map((e) => e.dedup?.outcome)).toEqual(texts.map(() => 'new'));
      const clusterIds = new Set(events.map((e) => e.dedup?.clusterId));
      expect(clusterIds.size).toBe(1);
      await clusters.waitFor((r) =>
        r.some((a) => (JSON.parse(a.value) as ClusterAlert).clusterId === [...clusterIds][0]),
      );
    }
  });

  it("marks a person's second letter on the same matter, in new words, as a repeat of the first", async () => {
    // No text match between the letters: the estate (entity key) and a common matter from the
    // shipped config/matters.yaml make the second a repeat; another matter there is new.
    const from = '+8613700006661';
    const first = await sms(
      from,
      '+8613800000003',
      '翠湖花园小区楼下新开的烧烤店每天半夜还在营业，油烟直接往楼上飘，熏得家里不敢开窗，请环保部门来查一查。',
    );
    // Judged in order: petitions on different partitions could otherwise overtake each other.
    const firstEvent = await eventOf(first);
    const again = await sms(
      from,
      '+8613800000003',
      '再次反映翠湖花园小区临街餐馆没有专用烟道的问题，整栋楼都是油烟味，上次反映后一直没人处理。',
    );
    const againEvent = await eventOf(again);
    const lift = await sms(
      from,
      '+8613800000003',
      '翠湖花园小区五号楼的电梯这个月坏了三次，有一次还把人关在里面半小时，维保单位来看过也没修好。',
    );
    const liftEvent = await eventOf(lift);
    expect(firstEvent.dedup).toMatchObject({ outcome: 'new', of: null });
    expect(againEvent.dedup).toMatchObject({
      outcome: 'repeat',
      of: first,
      clusterId: firstEvent.dedup?.clusterId,
    });
    expect(liftEvent.dedup).toMatchObject({ outcome: 'new', of: null, clusterSize: 1 });
  });

  it('groups people naming one estate and one matter, not another matter at that estate', async () => {
    // Different wording (no text match): the estate's entity key groups them, and the shipped
    // config/matters.yaml decides whether they are about the same matter.
    const fumes = await sms(
      '+8613700005551',
      '+8613800000003',
      '锦绣江南小区楼下新开的火锅店每天中午和晚上直排油烟，熏得我们家一年四季不敢开窗，请环保部门来查一查。',
    );
    const smell = await sms(
      '+8613700005552',
      '+8613800000003',
      '万科锦绣江南小区临街商铺开了好几家饭馆，厨房没有专用烟道，整栋楼都是油烟味，业主投诉多次没有下文。',
    );
    const leak = await sms(
      '+8613700005553',
      '+8613800000003',
      '锦绣江南小区七栋外墙渗水好几年了，一下雨卧室墙面就发霉，开发商一直推着不修，请住建部门督促处理。',
    );
    const [a, b, c] = await Promise.all([fumes, smell, leak].map((id) => eventOf(id)));
    expect(a?.dedup?.clusterId).toBe(b?.dedup?.clusterId);
    expect(c?.dedup?.clusterId).not.toBe(a?.dedup?.clusterId);
    expect(c?.dedup?.clusterSize).toBe(1);
  });

  /** A 县长信箱 letter from client `ip`; returns its tracking number. */
  async function mailbox(ip: string, letter: Parameters<typeof mailboxLetter>[0]): Promise<string> {
    const res = await fetch(`${stack.url}/channels/mailbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify(mailboxLetter(letter)),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { petitionId: string }).petitionId;
  }

  it('marks a mailbox letter giving an ID number and the phone of an earlier SMS as its duplicate', async () => {
    const text =
      '忠县白石镇村里的自来水这个月停了三次，每次一停就是好几天，村民只能去河里挑水，请水务部门尽快解决。';
    const bySms = await sms('+8613712340001', '+8613800000002', text);
    const smsEvent = await eventOf(bySms);
    const byMailbox = await mailbox('203.0.113.77', {
      phone: '137 1234 0001',
      idNumber: residentId('50023319750505003'),
      email: 'villager@example.cn',
      title: '村里自来水经常停水',
      content: `县长您好：${text}`,
    });
    const letterEvent = await eventOf(byMailbox);
    // The letter's identity key is the ID number's; the SMS's phone key is among its others.
    expect(letterEvent.petitioner.identityKey).not.toBe(smsEvent.petitioner.identityKey);
    expect(letterEvent.petitioner.otherIdentityKeys).toContain(smsEvent.petitioner.identityKey);
    expect(letterEvent.dedup).toMatchObject({ outcome: 'duplicate', of: bySms });
  });

  it('knows a citizen who changed phones by the ID number an earlier letter gave beside the old phone', async () => {
    const idNumber = residentId('50023319800808004');
    const bySms = await sms(
      '+8613712340005',
      '+8613800000002',
      '忠县拔山镇花桥村的自来水管道去年冬天冻裂以后一直没人修，全村三百多户吃水要到两公里外去挑，请水务部门尽快派人维修。',
    );
    await eventOf(bySms);
    // Another matter, under the ID number and the old phone: links the two.
    const school = await mailbox('203.0.113.81', {
      phone: '137 1234 0005',
      idNumber,
      title: '学校乱收补课费',
      content:
        '我孩子在县城上初中，学校每学期额外收取八百元补课费，不交就不让上晚自习，请教育部门查处乱收费。',
    });
    expect((await eventOf(school)).dedup).toMatchObject({ outcome: 'new', clusterId: school });
    // The water again, under the ID number and a new phone: no stored petition holds both the
    // SMS's phone and this letter's identifiers, yet it is the SMS sender's repeat.
    const again = await mailbox('203.0.113.82', {
      phone: '139 8765 0005',
      idNumber,
      title: '再次反映花桥村自来水问题',
      content:
        '再次反映拔山镇花桥村自来水的问题：管道冻裂以后一直没人修，全村三百多户吃水要到两公里外去挑，上次反映后还是没有人来，请尽快派人维修。',
    });
    expect((await eventOf(again)).dedup).toMatchObject({ outcome: 'repeat', of: bySms });
  });
});
