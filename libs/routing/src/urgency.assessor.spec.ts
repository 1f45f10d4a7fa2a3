import { join } from 'node:path';
import { assessUrgency } from './urgency.assessor';
import { loadUrgencyLexicon, parseUrgencyLexicon } from './urgency.config';

const lexicon = parseUrgencyLexicon(
  {
    flags: {
      'self-harm': { priority: 'urgent', terms: ['跳楼', '不想活'] },
      'safety-hazard': { priority: 'high', terms: ['安全隐患', '危房'], negatable: true },
      'wage-arrears': { priority: 'high', terms: ['欠薪'] },
    },
    negations: ['没有', '无'],
    stopPhrases: ['危房改造'],
  },
  'test-urgency',
);

describe('assessUrgency (test lexicon)', () => {
  it.each([
    ['小区路灯不亮', 'normal', []],
    ['老板欠薪三个月', 'high', ['wage-arrears']],
    ['被欠薪的工人说不想活了', 'urgent', ['self-harm', 'wage-arrears']],
    ['楼道堆满杂物，有安全隐患', 'high', ['safety-hazard']],
    ['检查后没有安全隐患', 'normal', []],
    ['无安全隐患', 'normal', []],
    ['没有人管，安全隐患很大', 'high', ['safety-hazard']],
    ['没有跳楼，但他说了三次', 'urgent', ['self-harm']],
    ['申请危房改造补贴', 'normal', []],
    ['申请危房改造补贴，现在住的是危房', 'high', ['safety-hazard']],
    ['欠薪欠薪欠薪', 'high', ['wage-arrears']],
    ['工人揚言跳樓討說法', 'urgent', ['self-harm']],
  ])('%s → %s %j', (text, priority, flags) => {
    const urgency = assessUrgency(text, lexicon);
    expect({ priority: urgency.priority, flags: urgency.flags }).toEqual({ priority, flags });
  });
});

describe('assessUrgency: gaps, negation, resolution, evidence (test lexicon)', () => {
  const sentences = parseUrgencyLexicon(
    {
      maxGap: 6,
      flags: {
        'wage-arrears': {
          priority: 'high',
          terms: ['拖欠…工资', '个月…没发…工资'],
          negatable: true,
          resolvable: true,
        },
        'self-harm': { priority: 'urgent', terms: ['想…一死了之'] },
        'safety-hazard': { priority: 'high', terms: ['安全隐患'], negatable: true },
      },
      negations: ['没有', '不存在', '避免'],
      resolutions: ['已经结清', '得到解决'],
    },
    'test-sentences',
  );

  type Row = [string, string, string[]];
  it.each<Row>([
    ['老板拖欠我们41万元工资', 'high', ['wage-arrears']],
    ['老板拖欠了我们二十多个工人半年的工资', 'normal', []], // gap of 13 > maxGap 6
    ['老板拖欠我们。工资的事以后再说', 'normal', []], // a gap never crosses a sentence end
    ['三个月了一直没发过工资', 'high', ['wage-arrears']],
    ['我真想一死了之', 'urgent', ['self-harm']],
    ['公司没有拖欠工资', 'normal', []],
    ['没有人管，拖欠工资的事', 'high', ['wage-arrears']], // a comma ends a negation's reach
    ['拖欠的工资已经结清了，谢谢', 'normal', []],
    ['拖欠的工资，经过协调已经结清', 'normal', []], // a resolution may cross a comma
    ['拖欠的工资。问题已经结清', 'high', ['wage-arrears']], // but not a full stop
    ['拖欠的工资至今没有得到解决', 'high', ['wage-arrears']], // a negated resolution
    ['经检查并不存在任何安全隐患', 'normal', []],
    ['为避免安全隐患请尽快处理', 'normal', []],
    ['一死了之', 'normal', []], // 想 is the first part
  ])('%s → %s %j', (text, priority, flags) => {
    const urgency = assessUrgency(text, sentences);
    expect({ priority: urgency.priority, flags: urgency.flags }).toEqual({ priority, flags });
  });

  it('reports the span of each flag, gaps included, in the order of the flags', () => {
    const text = '他说想一死了之。老板拖欠我们41万元工资！';
    const urgency = assessUrgency(text, sentences);
    expect(urgency.evidence).toEqual([
      { flag: 'wage-arrears', text: '拖欠我们41万元工资', start: 10, end: 20 },
      { flag: 'self-harm', text: '想一死了之', start: 2, end: 7 },
    ]);
    for (const e of urgency.evidence) expect(text.slice(e.start, e.end)).toBe(e.text);
  });

  it('stays linear on a hostile text of first parts that never complete', () => {
    // 98,000 characters (raw texts may have 200,000): every 拖欠 and 欠 starts several terms.
    // Searching ahead from each first part took ~6 s here; one pass takes ~0.1–0.8 s. The bound
    // is loose for shared machines and still fails the old version.
    const shipped = loadUrgencyLexicon(join(__dirname, '..', '..', '..', 'config', 'urgency.yaml'));
    const text = '拖欠拖欠拖欠工'.repeat(14_000);
    assessUrgency(text.slice(0, 7_000), shipped); // compiled before it is timed
    const started = process.hrtime.bigint();
    expect(assessUrgency(text, shipped).flags).toEqual([]);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(3000);
  });

  it('rejects a gap without a word on both sides', () => {
    expect(() =>
      parseUrgencyLexicon({ flags: { x: { priority: 'high', terms: ['拖欠…'] } } }, 'bad'),
    ).toThrow(/flags\.x\.terms\[0\].*gap/);
  });
});

describe('assessUrgency (shipped config/urgency.yaml)', () => {
  const shipped = loadUrgencyLexicon(join(__dirname, '..', '..', '..', 'config', 'urgency.yaml'));

  it.each([
    ['楼下邻居持刀威胁我们', 'high', ['violence']],
    ['他说不想活了要去跳楼', 'urgent', ['self-harm']],
    ['工地拖欠工资，工人准备集体上访', 'high', ['mass-gathering', 'wage-arrears']],
    ['单元楼燃气泄漏，老人有生命危险', 'urgent', ['threat-to-life', 'safety-hazard']],
    ['学校里发热的学生很多，怀疑是传染病', 'high', ['epidemic']],
    ['學校發熱學生很多，疑似傳染病', 'high', ['epidemic']],
    ['村民堵路拉横幅讨薪', 'high', ['mass-gathering', 'wage-arrears']],
    ['经过排查没有安全隐患', 'normal', []],
    ['请拨打人工服务电话', 'normal', []],
    ['轮胎漏气了去哪里补', 'normal', []],
    ['居民聚集区的垃圾站太臭', 'normal', []],
    ['建议增加公交班次', 'normal', []],
    // issue 29: the same things said the way citizens write them
    ['老板拖欠我们41万元工资，工友情绪很激动', 'high', ['wage-arrears']],
    ['快过年了还在讨要血汗钱', 'high', ['wage-arrears']],
    ['去年拖欠的工资已经全部结清了，感谢政府', 'normal', []],
    ['拖欠的工资至今没有得到解决', 'high', ['wage-arrears']],
    ['我家的墙体出现了开裂，裂缝越来越大', 'high', ['safety-hazard']],
    ['楼道里闻到很浓的煤气味', 'high', ['safety-hazard']],
    ['后山山体松动，下雨天石头往下掉', 'high', ['safety-hazard']],
    ['楼道里有个人拿着刀走来走去', 'high', ['violence']],
    ['我真的想一死了之', 'urgent', ['self-harm']],
    ['学校食堂吃了午饭后很多学生呕吐', 'high', ['food-safety']],
    ['村里停水三天了，老人孩子都没水喝', 'high', ['utility-outage']],
    ['业主们约好明天一起到开发商门口讨说法', 'high', ['mass-gathering']],
    ['经排查不存在火灾隐患', 'normal', []],
    ['请尽快处理，以避免发生群体性事件', 'normal', []],
    ['这家店跳楼价甩卖', 'normal', []],
  ])('%s → %s %j', (text, priority, flags) => {
    const urgency = assessUrgency(text, shipped);
    expect({ priority: urgency.priority, flags: urgency.flags }).toEqual({ priority, flags });
  });
});
